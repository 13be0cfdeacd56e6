package dev.deepanat.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {
    @TempDir Path dir;

    /** Runs the CLI capturing stdout and stderr. */
    static String[] run(int expectedExit, String... args) {
        String[] r = dev.deepanat.testing.Cli.run(args);
        assertEquals(String.valueOf(expectedExit), r[0], "exit code; stderr: " + r[2]);
        return new String[] {r[1], r[2]};
    }

    @Test
    void helpAndVersion() {
        assertTrue(run(0, "--help")[0].contains("Usage: deepanat"));
        assertTrue(run(0, "--version")[0].startsWith("deepanat "));
        assertTrue(run(2, "no-such-command")[1].contains("Unmatched argument"));
    }
}
