package dev.deepanat.diffusion;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorFitterTest {

    static GradientTable scheme(int b0s, int dirs, double b, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = b0s + dirs;
        double[] bv = new double[n], vec = new double[3 * n];
        for (int i = b0s; i < n; i++) {
            double z = 2 * r.nextDouble() - 1, ph = 2 * Math.PI * r.nextDouble(), s = Math.sqrt(1 - z * z);
            bv[i] = b; vec[3 * i] = s * Math.cos(ph); vec[3 * i + 1] = s * Math.sin(ph); vec[3 * i + 2] = z;
        }
        return new GradientTable(bv, vec);
    }

    /** Signals of D = R diag(l) Rᵀ with S0, for every volume of g, in a one-voxel "image". */
    static float[] signals(GradientTable g, double s0, double[] d6) {
        float[] out = new float[g.count()];
        for (int i = 0; i < g.count(); i++) {
            double x = g.gx(i), y = g.gy(i), z = g.gz(i);
            double adc = d6[0] * x * x + d6[1] * y * y + d6[2] * z * z + 2 * (d6[3] * x * y + d6[4] * x * z + d6[5] * y * z);
            out[i] = (float) (s0 * Math.exp(-g.b(i) * adc));
        }
        return out;
    }

    @Test
    void noiseFreeTensorIsRecoveredByOlsAndWls() {
        GradientTable g = scheme(3, 30, 1000, 3);
        double[] d6 = {1.2e-3, 0.5e-3, 0.4e-3, 0.2e-3, -0.1e-3, 0.05e-3};
        float[] s = signals(g, 1500, d6);
        int[] all = java.util.stream.IntStream.range(0, g.count()).toArray();
        for (FitMethod m : FitMethod.values()) {
            TensorFitter f = new TensorFitter(new TensorDesign(g, all), m);
            assertTrue(f.fit(s, 0, 1));
            for (int k = 0; k < 6; k++) assertEquals(d6[k], f.beta[k] * TensorDesign.D_UNIT, 1e-8, m + " element " + k);
            assertEquals(Math.log(1500), f.beta[6], 1e-5);
        }
    }

    @Test
    void nonPositiveSignalsAreClampedNotNaN() {
        GradientTable g = scheme(2, 12, 1000, 5);
        float[] s = signals(g, 800, new double[]{1e-3, 1e-3, 1e-3, 0, 0, 0});
        s[4] = 0; s[7] = -3;
        int[] all = java.util.stream.IntStream.range(0, g.count()).toArray();
        TensorFitter f = new TensorFitter(new TensorDesign(g, all), FitMethod.WLS);
        f.fit(s, 0, 1);
        for (double v : f.beta) assertTrue(Double.isFinite(v));
    }

    @Test
    void eigenDecompositionIsSortedOrthonormalAndExact() {
        SplittableRandom r = new SplittableRandom(11);
        SymmetricEigen3 e = new SymmetricEigen3();
        for (int t = 0; t < 2000; t++) {
            double xx = r.nextDouble() - 0.3, yy = r.nextDouble() - 0.3, zz = r.nextDouble() - 0.3;
            double xy = r.nextDouble() - 0.5, xz = t % 3 == 0 ? 0 : r.nextDouble() - 0.5, yz = r.nextDouble() - 0.5;
            if (t % 7 == 0) { xy = 0; xz = 0; yz = 0; yy = xx; } // degenerate eigenvalues
            e.decompose(xx, yy, zz, xy, xz, yz);
            double[][] a = {{xx, xy, xz}, {xy, yy, yz}, {xz, yz, zz}};
            assertTrue(e.values[0] >= e.values[1] && e.values[1] >= e.values[2]);
            for (int k = 0; k < 3; k++) {
                for (int i = 0; i < 3; i++) {
                    double av = a[i][0] * e.vectors[3 * k] + a[i][1] * e.vectors[3 * k + 1] + a[i][2] * e.vectors[3 * k + 2];
                    assertEquals(e.values[k] * e.vectors[3 * k + i], av, 1e-12);
                }
                for (int j = 0; j < 3; j++) {
                    double dot = e.vectors[3 * k] * e.vectors[3 * j] + e.vectors[3 * k + 1] * e.vectors[3 * j + 1] + e.vectors[3 * k + 2] * e.vectors[3 * j + 2];
                    assertEquals(k == j ? 1 : 0, dot, 1e-12);
                }
            }
        }
    }

    @Test
    void faAndMdFollowTheirDefinitions() {
        assertEquals(0, TensorMetrics.fa(1e-3, 1e-3, 1e-3), 1e-12);
        assertEquals(1, TensorMetrics.fa(1e-3, 0, 0), 1e-12);
        assertEquals(0, TensorMetrics.fa(0, 0, 0));
        assertEquals(1e-3, TensorMetrics.md(1.5e-3, 1e-3, 0.5e-3), 1e-15);
    }
}
