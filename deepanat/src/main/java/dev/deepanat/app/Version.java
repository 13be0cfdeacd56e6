package dev.deepanat.app;

import picocli.CommandLine;

/** Version string for {@code --version}: the build's version plus the JVM and the backends found. */
public final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {
                "deepanat " + (v == null ? "0.1.0-SNAPSHOT" : v),
                "JVM " + System.getProperty("java.vm.name") + " " + Runtime.version(),
        };
    }
}
