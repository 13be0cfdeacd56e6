package dev.deepanat.profile;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.backend.ProfiledBackend;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import dev.deepanat.testing.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfileCommandTest {
    @TempDir static Path dir;
    static final String[] SMALL = {"profile", "--filters", "4", "--levels", "3", "--block", "16", "--channels", "3", "--steps", "1"};

    @BeforeAll
    static void privatePeakCache() throws Exception {
        // Measured once for the class (a few seconds), never in the user's cache.
        Path f = dir.resolve("peaks.json");
        System.setProperty("deepanat.peaks.file", f.toString());
    }

    @AfterAll
    static void clear() {
        System.clearProperty("deepanat.peaks.file");
    }

    static String[] args(String... more) {
        String[] a = Arrays.copyOf(SMALL, SMALL.length + more.length);
        System.arraycopy(more, 0, a, SMALL.length, more.length);
        return a;
    }

    /** Kernel rows plus the time outside kernels make the step; the kernels are most of a conv-heavy step. */
    @Test
    void rowsAddUpToTheStepTime() {
        UNetConfig cfg = new UNetConfig(11, 1, 8, 3, false);
        ProfiledBackend p = new ProfiledBackend(Backends.host());
        UNet3d net = new UNet3d(cfg, new SplittableRandom(1));
        net.to(p);
        StepProfile.Result r = StepProfile.run(net, p, 32, true, 2);
        net.close();
        double k = r.kernelSeconds();
        assertTrue(k <= r.stepSeconds() * 1.001, "kernels " + k + " s within the step's " + r.stepSeconds() + " s");
        assertTrue(k >= 0.6 * r.stepSeconds(), "kernels " + k + " s are most of the step's " + r.stepSeconds() + " s");
        assertTrue(r.rows().stream().anyMatch(x -> x.layer().equals("enc0.0") && x.pass().equals("backward")
                && x.kernel().equals("conv3dBackwardWeight")), "backward kernels carry their layer's name");
        assertTrue(r.rows().stream().anyMatch(x -> x.layer().equals("adam") && x.pass().equals("update")));
        for (int i = 1; i < r.rows().size(); i++) assertTrue(r.rows().get(i - 1).seconds() >= r.rows().get(i).seconds(), "top time sinks first");
    }

    /** On a backend that is not the host's (checked: off-heap, its own device kind) every call is synchronized around. */
    @Test
    void profilesAnAsynchronousStyleBackend() {
        UNetConfig cfg = new UNetConfig(2, 1, 2, 2, false);
        ProfiledBackend p = new ProfiledBackend(Backends.get("checked"));
        UNet3d net = new UNet3d(cfg, new SplittableRandom(1));
        net.to(p);
        StepProfile.Result r = StepProfile.run(net, p, 4, true, 1, 1);
        net.close();
        assertTrue(r.kernelSeconds() <= r.stepSeconds() * 1.001);
        assertTrue(r.rows().stream().anyMatch(x -> x.layer().equals("dec0.0") && x.kernel().equals("conv3dBackwardData")));
        assertEquals(2, r.rows().stream().filter(x -> x.kernel().equals("synchronize")).mapToDouble(LayerRow::callsPerStep).sum(),
                "the step's read of the loss and the end-of-step wait are rows; the profiler's waits around each call are not");
    }

    @Test
    void csvParses() {
        String[] r = Cli.run(args("--csv", "--forward"));
        assertEquals("0", r[0], r[2]);
        List<String> lines = r[1].lines().toList();
        assertEquals(String.join(",", ProfileFormat.CSV_COLUMNS), lines.get(0));
        assertTrue(lines.size() > 10);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            assertEquals(ProfileFormat.CSV_COLUMNS.size(), f.length, line);
            Double.parseDouble(f[5]);
            Double.parseDouble(f[10]);
            assertEquals("forward", f[1]);
        }
    }

    @Test
    void jsonParsesAndAddsUp() {
        String[] r = Cli.run(args("--json"));
        assertEquals("0", r[0], r[2]);
        JsonObject o = JsonParser.parseString(r[1]).getAsJsonObject();
        assertEquals("train", o.get("mode").getAsString());
        double sum = 0;
        for (var row : o.getAsJsonArray("rows")) sum += row.getAsJsonObject().get("seconds").getAsDouble();
        assertEquals(o.get("kernel_s").getAsDouble(), sum, 1e-9);
        assertEquals(o.get("step_s").getAsDouble(), sum + o.get("other_s").getAsDouble(), 1e-9);
        assertTrue(o.getAsJsonObject("peak").get("gflops").getAsDouble() > 0);
    }

    @Test
    void textTableAndRooflinePng() throws Exception {
        Path png = dir.resolve("roof.png");
        String[] r = Cli.run(args("--plot", png.toString(), "--top", "5"));
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("GFLOP/s") && r[1].contains("%peak"), r[1]);
        byte[] b = Files.readAllBytes(png);
        assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', "a PNG");
    }

    @Test
    void badOptionsAreOneLineExit2() {
        for (String[] bad : List.of(args("--steps", "0"), args("--json", "--csv"), args("--train", "--forward"),
                args("--device", "nosuch"), args("--block", "12"), args("--no-such-option"), args("--steps", "x"),
                args("--warmup", "-1"))) {
            String[] r = Cli.run(bad);
            assertEquals("2", r[0], String.join(" ", bad) + ": " + r[2]);
            assertEquals(1, r[2].strip().lines().count(), "one line: " + r[2]);
            assertTrue(r[2].startsWith("deepanat profile: "), r[2]);
        }
    }
}
