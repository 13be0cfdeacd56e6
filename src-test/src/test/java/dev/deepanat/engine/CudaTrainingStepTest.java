package dev.deepanat.engine;

import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.backend.MemoryStats;
import dev.deepanat.engine.backend.Storage;
import dev.deepanat.kernels.cuda.CudaBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.deepanat.engine.Conformance.close;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On a GPU: U-Net training steps on cuda against the same steps on cpu, in fp32 (TF32 off) and with TF32 convolutions,
 * and the device memory contract (cache, counters, asynchronous copyOut). Without a usable CUDA device every test is
 * skipped with one line saying why.
 */
@Tag("gpu")
class CudaTrainingStepTest {
    static CudaBackend cuda() {
        Backend b = Backends.all().stream().filter(x -> x.name().equals("cuda")).findFirst().orElse(null);
        String why = Backends.unavailable().get("cuda");
        Assumptions.assumeTrue(b instanceof CudaBackend, "no GPU test: " + (why == null ? "cuda backend not found" : why));
        return (CudaBackend) b;
    }

    private static void compare(boolean tf32, double rel) {
        CudaBackend c = cuda();
        boolean before = c.tf32();
        c.useTf32(tf32);
        try {
            for (boolean bn : new boolean[] {false, true}) {
                BackendConformanceTest.Steps cpu = BackendConformanceTest.unetSteps(Backends.get("cpu"), bn);
                BackendConformanceTest.Steps gpu = BackendConformanceTest.unetSteps(c, bn);
                String what = (tf32 ? "TF32" : "fp32") + (bn ? " batch norm" : " plain");
                close(what + " losses", cpu.losses(), gpu.losses(), rel, 0);
                // gradients: the loss's tolerance, and 1e-4 in fp32 as the conformance suite allows any backend
                cpu.grads().forEach((k, g) -> close(what + " gradient of " + k, g, gpu.grads().get(k), Math.max(rel, 1e-4), 1e-7));
                cpu.params().forEach((k, p) -> close(what + " " + k + " after two steps", p, gpu.params().get(k), Math.max(rel, 1e-5), 2e-5));
            }
        } finally {
            c.useTf32(before);
        }
    }

    @Test
    void uNetStepsMatchTheCpuInFp32() {
        compare(false, 1e-5);
    }

    @Test
    void uNetStepsMatchTheCpuWithTf32Convolutions() {
        compare(true, 5e-3);
    }

    @Test
    void freedMemoryIsCachedAndGivenBackOnEmptyCache() {
        CudaBackend c = cuda();
        c.synchronize();
        MemoryStats s0 = c.memoryStats();
        Storage a = c.allocate(1 << 20);
        assertEquals(s0.liveBytes() + (4L << 20), c.memoryStats().liveBytes());
        a.free();
        MemoryStats s1 = c.memoryStats();
        assertEquals(s0.liveBytes(), s1.liveBytes());
        assertTrue(s1.cachedBytes() >= 4L << 20, "the freed block is cached: " + s1);
        Storage b = c.allocate(1 << 20); // the same size class: served from the cache
        assertEquals(s1.cachedBytes() - (4L << 20), c.memoryStats().cachedBytes());
        b.free();
        c.emptyCache();
        assertEquals(0, c.memoryStats().cachedBytes());
        assertTrue(c.memoryStats().peakBytes() >= 4L << 20);
    }

    @Test
    void copyOutIsValidAfterSynchronize() {
        CudaBackend c = cuda();
        float[] data = new float[100_000];
        for (int i = 0; i < data.length; i++) data[i] = i * 0.5f;
        Storage s = c.upload(data);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(4L * data.length);
            long syncs = c.memoryStats().synchronizations();
            c.copyOut(s, 0, host, data.length);
            c.synchronize();
            assertEquals(syncs + 1, c.memoryStats().synchronizations());
            assertArrayEquals(data, host.toArray(ValueLayout.JAVA_FLOAT));
        } finally {
            s.free();
        }
    }
}
