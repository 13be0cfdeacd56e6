package dev.deepanat.diffusion;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DtiMapperTest {

    @Test
    void resultsDoNotDependOnTheThreadCountAndOutsideTheMaskIsZero() {
        int nx = 7, ny = 6, nz = 11, nvox = nx * ny * nz;
        GradientTable g = TensorFitterTest.scheme(2, 20, 1000, 8);
        int nt = g.count();
        float[] data = new float[nvox * nt];
        boolean[] mask = new boolean[nvox];
        SplittableRandom r = new SplittableRandom(2);
        for (int v = 0; v < nvox; v++) {
            mask[v] = r.nextDouble() < 0.7;
            float[] s = TensorFitterTest.signals(g, 500 + 500 * r.nextDouble(),
                    new double[]{1e-3 * r.nextDouble() + 2e-4, 8e-4, 6e-4, 1e-4 * r.nextGaussian(), 1e-4, 0});
            for (int t = 0; t < nt; t++) data[v + t * nvox] = (float) (s[t] * (1 + 0.03 * r.nextGaussian()));
        }
        TensorDesign design = new TensorDesign(g, IntStream.range(0, nt).toArray());
        int[] dims = {nx, ny, nz, nt};
        DtiMaps one = DtiMapper.run(data, dims, mask, design, FitMethod.WLS, OptimalDirections.dsm6(), 1000, 1);
        DtiMaps three = DtiMapper.run(data, dims, mask, design, FitMethod.WLS, OptimalDirections.dsm6(), 1000, 3);
        assertArrayEquals(one.l1(), three.l1());
        assertArrayEquals(one.fa(), three.fa());
        assertArrayEquals(one.v1(), three.v1());
        assertArrayEquals(one.synthesized()[5], three.synthesized()[5]);
        for (int v = 0; v < nvox; v++) if (!mask[v]) assertEquals(0f, one.md()[v] + one.s0()[v] + one.synthesized()[0][v]);
    }
}
