package dev.deepanat.report;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {
    @Test
    void plainModePrintsEveryTenthAndALastLine() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long[] now = {0};
        try (Progress p = new Progress.Plain("epoch 3/30", 20, "blocks", new PrintStream(buf, true, StandardCharsets.UTF_8), () -> now[0])) {
            for (int i = 1; i <= 20; i++) {
                now[0] += 500_000_000L; // half a second a block
                p.step(String.format(Locale.ROOT, "loss %.4f", 1.0 / i));
            }
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(10, lines.size(), String.join("\n", lines));
        assertEquals("epoch 3/30: 2/20 blocks, loss 0.5000, 1.0 s elapsed, ETA 9.0 s", lines.get(0));
        assertEquals("epoch 3/30: 10/20 blocks, loss 0.1000, 5.0 s elapsed, ETA 5.0 s", lines.get(4));
        assertEquals("epoch 3/30: 18/20 blocks, loss 0.0556, 9.0 s elapsed, ETA 1.0 s", lines.get(8));
        assertEquals("epoch 3/30: 20/20 blocks, loss 0.0500, done in 10.0 s", lines.get(9));
    }

    @Test
    void smallTotalsBigStepsAndNoExtra() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long[] now = {0};
        Progress p = new Progress.Plain("predict", 3, "slabs", new PrintStream(buf, true, StandardCharsets.UTF_8), () -> now[0]);
        now[0] = 40_000_000_000L;
        p.step();
        now[0] = 130_000_000_000L;
        p.stepBy(2);
        p.close();
        p.close(); // once only
        assertEquals(List.of("predict: 1/3 slabs, 40.0 s elapsed, ETA 1m 20s", "predict: 3/3 slabs, done in 2m 10s"),
                buf.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void durations() {
        assertEquals("0.0 s", Progress.Plain.duration(0));
        assertEquals("59.9 s", Progress.Plain.duration(59.94));
        assertEquals("1m 00s", Progress.Plain.duration(59.96));
        assertEquals("1m 40s", Progress.Plain.duration(100));
        assertEquals("2h 05m", Progress.Plain.duration(2 * 3600 + 5 * 60 + 10));
        assertEquals("?", Progress.Plain.duration(Double.NaN));
    }

    @Test
    void thePropertyForcesPlainLinesOnSystemOut() {
        PrintStream saved = System.out;
        String savedMode = System.getProperty("deepanat.progress");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        System.setProperty("deepanat.progress", "plain");
        try (Progress p = Progress.start("epoch 1/1", 100)) {
            for (int i = 0; i < 100; i++) p.step("loss 0.1234");
        } finally {
            System.setOut(saved);
            if (savedMode == null) System.clearProperty("deepanat.progress"); else System.setProperty("deepanat.progress", savedMode);
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(10, lines.size(), String.join("\n", lines));
        for (int k = 1; k <= 9; k++)
            assertTrue(lines.get(k - 1).matches("epoch 1/1: " + 10 * k + "/100 blocks, loss 0\\.1234, .+ elapsed, ETA .+"), lines.get(k - 1));
        assertTrue(lines.get(9).matches("epoch 1/1: 100/100 blocks, loss 0\\.1234, done in .+"), lines.get(9));
    }
}
