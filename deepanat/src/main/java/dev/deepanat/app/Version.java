package dev.deepanat.app;

import picocli.CommandLine;

/** Version string for {@code --version}: the build's version plus the JVM and the backends found. */
public final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        java.util.List<String> lines = new java.util.ArrayList<>(java.util.List.of(
                "deepanat " + dev.deepanat.common.BuildInfo.version(),
                "JVM " + System.getProperty("java.vm.name") + " " + Runtime.version(),
                "backends: " + String.join(", ", dev.deepanat.engine.backend.Backends.all().stream()
                        .map(dev.deepanat.engine.backend.Backend::name).toList()) + "; --device auto = " + DeviceOption.auto().name()));
        dev.deepanat.engine.backend.Backends.unavailable().forEach((name, why) -> lines.add(name + " unavailable: " + why));
        return lines.toArray(String[]::new);
    }
}
