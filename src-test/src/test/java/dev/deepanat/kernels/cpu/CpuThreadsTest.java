package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Conformance;
import dev.deepanat.engine.Parallel;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.backend.ConvGeometry;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.deepanat.engine.Conformance.close;
import static dev.deepanat.engine.Conformance.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The kernels give the same results with 1, 2, 3 and 5 threads (different work splits), and nested loops run inline. */
class CpuThreadsTest {
    static final Backend CPU = Backends.get("cpu");

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        String before = System.getProperty("deepanat.threads");
        try {
            ConvGeometry[] gs = {Conformance.same3(2, 7, 5, 6, 37, 13), Conformance.same3(1, 9, 4, 4, 4, 10),
                    Conformance.same3(1, 24, 3, 6, 40, 40), Conformance.same3(1, 3, 3, 6, 20, 70),
                    Conformance.same3(1, 40, 8, 8, 8, 13), Conformance.same3(1, 36, 4, 4, 4, 25), Conformance.same3(1, 40, 4, 4, 4, 64)};
            for (ConvGeometry g : gs) {
                SplittableRandom rng = new SplittableRandom(21);
                float[] x = random(rng, (int) g.inputSize()), w = random(rng, (int) g.weightSize());
                float[] b = random(rng, g.cOut()), dy = random(rng, (int) g.outputSize());
                float[][] ref = null;
                for (int t : new int[] {1, 2, 3, 5}) {
                    System.setProperty("deepanat.threads", Integer.toString(t));
                    assertEquals(t, Parallel.threads());
                    float[][] r = {Conformance.conv3d(CPU, g, x, w, b), Conformance.conv3dBackwardData(CPU, g, dy, w),
                            Conformance.conv3dBackwardWeight(CPU, g, x, dy, true)[0], Conformance.conv3dRelu(CPU, g, x, w, b)};
                    if (ref == null) ref = r;
                    else for (int k = 0; k < r.length; k++) close("pass " + k + " with " + t + " threads " + g, ref[k], r[k], 1e-6, 1e-7);
                    // backward-weight sums each entry in one order whatever the split: the same bits
                    if (r != ref) assertArrayEquals(ref[2], r[2], "backward-weight with " + t + " threads " + g);
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
