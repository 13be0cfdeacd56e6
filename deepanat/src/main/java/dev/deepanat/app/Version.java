package dev.deepanat.app;

import picocli.CommandLine;

/** Version string for {@code --version}: the build's version plus the JVM and the backends found. */
public final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {
                "deepanat " + dev.deepanat.common.BuildInfo.version(),
                "JVM " + System.getProperty("java.vm.name") + " " + Runtime.version(),
        };
    }
}
