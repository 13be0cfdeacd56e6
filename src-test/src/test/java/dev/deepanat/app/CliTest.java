package dev.deepanat.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {
    @TempDir Path dir;

    /** Runs the CLI capturing stdout and stderr. */
    static String[] run(int expectedExit, String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true));
            System.setErr(new PrintStream(e, true));
            int code = Main.execute(args);
            assertEquals(expectedExit, code, "exit code; stderr: " + e);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new String[] {o.toString(), e.toString()};
    }

    @Test
    void helpAndVersion() {
        assertTrue(run(0, "--help")[0].contains("Usage: deepanat"));
        assertTrue(run(0, "--version")[0].startsWith("deepanat "));
        assertTrue(run(2, "no-such-command")[1].contains("Unmatched argument"));
    }
}
