package dev.deepanat.common;

/** The version this code was built as (from the jar's manifest; the development version when run from classes). */
public final class BuildInfo {
    private BuildInfo() {}

    public static String version() {
        String v = BuildInfo.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
