package dev.deepanat.profile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PeaksTest {
    @TempDir Path dir;

    @Test
    void cacheFileFollowsXdgCacheHomeElseHome() {
        assertEquals(Path.of("/x/deepanat/peaks-node-7-amd-epyc-9654.json"),
                Peaks.cacheFile(Map.of("XDG_CACHE_HOME", "/x", "HOME", "/h"), "Node-7", "AMD EPYC 9654"));
        assertEquals(Path.of("/h/.cache/deepanat/peaks-node-7-intel-r-xeon-r.json"),
                Peaks.cacheFile(Map.of("HOME", "/h"), "node-7", "Intel(R) Xeon(R)"));
    }

    @Test
    void measuredOncePerBackendAndThreadsThenCached() throws Exception {
        Path f = dir.resolve("sub/peaks.json");
        AtomicInteger measured = new AtomicInteger();
        var m = (java.util.function.Supplier<double[]>) () -> new double[] {100 + measured.incrementAndGet(), 20};
        assertEquals(101, Peaks.get(f, "cpu", 2, false, m).gflops());
        assertEquals(101, Peaks.get(f, "cpu", 2, false, m).gflops(), "cached");
        assertEquals(1, measured.get());
        assertEquals(102, Peaks.get(f, "cpu", 2, true, m).gflops(), "--remeasure-peaks");
        assertEquals(103, Peaks.get(f, "cpu", 1, false, m).gflops(), "another thread count is measured anew");
        assertEquals(104, Peaks.get(f, "cuda", 1, false, m).gflops(), "per backend");
        assertEquals(103, Peaks.get(f, "cpu", 1, false, m).gflops(), "both kept in the one file");
        assertEquals(103.0 / 20, Peaks.get(f, "cpu", 1, false, m).ridge(), 1e-12);
        Files.writeString(f, "{not json");
        assertEquals(105, Peaks.get(f, "cpu", 1, false, m).gflops(), "a damaged cache is measured again");
    }
}
