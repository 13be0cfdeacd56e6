package dev.deepanat.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
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

    @Test
    void demoRunsThePipelineOnThePhantom() {
        String out = run(0, "demo", "--size", "32", "--steps", "3", "--block", "16", "--filters", "2", "--levels", "2",
                "--out", dir.toString())[0];
        assertTrue(out.contains("step    3/3"), out);
        assertTrue(out.contains("held-out sub-02") && out.contains("PSNR"), out);
        assertTrue(Files.isRegularFile(dir.resolve("unet.safetensors")));
        assertTrue(Files.isRegularFile(dir.resolve("sub-02_t1w_synth.nii.gz")));
        assertTrue(Files.isRegularFile(dir.resolve("prepared/sub-01/sub-01_diff_dtiDwi6.nii.gz")));
    }

    @Test
    void badDemoOptionsGiveOneLine() {
        String err = run(2, "demo", "--block", "10", "--levels", "3", "--out", dir.toString())[1];
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains("--block 10 must be a multiple of 4 (for 3 levels)"), err);
    }
}
