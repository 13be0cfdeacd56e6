package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import dev.deepanat.engine.backend.ConvGeometry;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.deepanat.kernels.cpu.CpuCheck.CPU;
import static dev.deepanat.kernels.cpu.CpuCheck.close;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The kernels give the same results with 1, 2, 3 and 5 threads (different work splits), and nested loops run inline. */
class CpuThreadsTest {
    @Test
    void resultsDoNotDependOnTheThreadCount() {
        String before = System.getProperty("deepanat.threads");
        try {
            ConvGeometry[] gs = {CpuConvTest.same3(2, 7, 5, 6, 37, 13), CpuConvTest.same3(1, 9, 4, 4, 4, 10)};
            for (ConvGeometry g : gs) {
                SplittableRandom rng = new SplittableRandom(21);
                float[] x = CpuCheck.random(rng, (int) g.inputSize()), w = CpuCheck.random(rng, (int) g.weightSize());
                float[] b = CpuCheck.random(rng, g.cOut()), dy = CpuCheck.random(rng, (int) g.outputSize());
                float[][] ref = null;
                for (int t : new int[] {1, 2, 3, 5}) {
                    System.setProperty("deepanat.threads", Integer.toString(t));
                    assertEquals(t, Parallel.threads());
                    float[][] r = {CpuConvTest.forward(CPU, g, x, w, b), CpuConvTest.backwardData(CPU, g, dy, w),
                            CpuConvTest.backwardWeight(CPU, g, x, dy)[0]};
                    if (ref == null) ref = r;
                    else for (int k = 0; k < 3; k++) close("pass " + k + " with " + t + " threads " + g, ref[k], r[k], 1e-6, 1e-7);
                }
            }
        } finally {
            if (before == null) System.clearProperty("deepanat.threads");
            else System.setProperty("deepanat.threads", before);
        }
    }

    @Test
    void nestedParallelForRunsInline() {
        int[] hits = new int[64];
        Parallel.forRange(8, 1, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                int outer = i;
                Parallel.forRange(8, 1, (a, z) -> {
                    for (int j = a; j < z; j++) hits[outer * 8 + j]++;
                });
            }
        });
        for (int h : hits) assertEquals(1, h);
    }
}
