package dev.deepanat.profile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guard's comparison: ratios, the 10 % rule, the files it reads and writes; no benchmark runs. */
class GuardCompareTest {
    @TempDir Path dir;

    @Test
    void tenPercentRule() {
        Map<String, Double> base = Map.of("a", 1.0, "b", 0.5, "c", 2.0, "d", 1.0);
        Map<String, Double> now = Map.of("a", 1.099, "b", 0.551, "c", 1.7, "e", 3.0);
        List<GuardCompare.Verdict> v = GuardCompare.compare(base, now, 0.10);
        assertEquals(List.of("a", "b", "c", "d", "e"), v.stream().map(GuardCompare.Verdict::key).toList());
        assertEquals(List.of("ok", "REGRESSION", "improved", "missing", "new"), v.stream().map(GuardCompare.Verdict::status).toList());
        assertEquals(2, v.stream().filter(GuardCompare.Verdict::fails).count());
    }

    @Test
    void ratiosAreOursOverTorchForCommonKeys() {
        assertEquals(Map.of("x", 0.5), GuardCompare.ratios(Map.of("x", 10.0, "y", 1.0), Map.of("x", 20.0, "z", 1.0)));
    }

    @Test
    void recordThenCompareThroughFiles() throws Exception {
        Path ours = dir.resolve("ours.json"), torch = dir.resolve("torch.jsonl"), base = dir.resolve("cpu.json");
        Files.writeString(ours, "{\"conv.16-16-32.forward.fp32\": 10.0, \"unet.f16-32.train.fp32\": 200.0}");
        Files.writeString(torch, "{\"key\": \"conv.16-16-32.forward.fp32\", \"ms\": 20.0}\n\n{\"key\": \"unet.f16-32.train.fp32\", \"ms\": 400.0, \"x\": 1}\n");
        assertEquals(0, GuardCompare.run(new String[] {"--ours", ours.toString(), "--torch", torch.toString(), "--record", base.toString(), "--device", "cpu"}));
        assertEquals(Map.of("conv.16-16-32.forward.fp32", 0.5, "unet.f16-32.train.fp32", 0.5), GuardCompare.baselineRatios(Files.readString(base)));
        assertEquals(0, GuardCompare.run(new String[] {"--ours", ours.toString(), "--torch", torch.toString(), "--baseline", base.toString()}));
        Files.writeString(ours, "{\"conv.16-16-32.forward.fp32\": 11.5, \"unet.f16-32.train.fp32\": 200.0}"); // ratio 0.575: +15 %
        assertEquals(1, GuardCompare.run(new String[] {"--ours", ours.toString(), "--torch", torch.toString(), "--baseline", base.toString()}));
        Files.writeString(ours, "{\"conv.16-16-32.forward.fp32\": 10.9}"); // within 10 %, but the U-Net step is missing
        assertEquals(1, GuardCompare.run(new String[] {"--ours", ours.toString(), "--torch", torch.toString(), "--baseline", base.toString()}));
        Files.writeString(base, "{broken");
        assertEquals(2, GuardCompare.run(new String[] {"--ours", ours.toString(), "--torch", torch.toString(), "--baseline", base.toString()}));
    }

    @Test
    void theStoredCpuBaselineParses() throws Exception {
        Path f = Path.of(System.getProperty("deepanat.repo", "."), "benchmarks", "baselines", "cpu.json");
        Map<String, Double> r = GuardCompare.baselineRatios(Files.readString(f));
        assertTrue(r.keySet().containsAll(List.of("conv.48-48-64.forward.fp32", "conv.48-48-64.backwardData.fp32",
                "conv.48-48-64.backwardWeight.fp32", "unet.f16-32.train.fp32")), r.keySet().toString());
        r.values().forEach(v -> assertTrue(v > 0 && v < 100, "a plausible ratio: " + v));
    }
}
