package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[m×n] = op(A)·op(B) + β·C (row-major). B is brought to k×n row-major (packed when transposed), then each row of C
 * is accumulated vector by vector as Σ_p A(i,p)·B[p, j..j+VL); rows of C are split over the pool. (The engine's
 * U-Net does not use gemm; convolutions have their own implicit-GEMM kernels.)
 */
final class Gemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();

    private Gemm() {}

    static void run(boolean transA, boolean transB, int m, int n, int k,
                    float[] a, int ao, float[] b, int bo, float beta, float[] c, int co) {
        final float[] bm;
        final int bOff;
        if (transB) {
            // B stored n×k: pack into k×n.
            bm = Scratch.floats(Scratch.TMP, k * n);
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++) bm[p * n + j] = b[bo + j * k + p];
            bOff = 0;
        } else {
            bm = b;
            bOff = bo;
        }
        int grain = Math.max(1, (1 << 16) / Math.max(1, n * Math.max(1, k)));
        Parallel.forRange(m, grain, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                int ci = co + i * n;
                if (beta == 0) java.util.Arrays.fill(c, ci, ci + n, 0f);
                else if (beta != 1) for (int j = 0; j < n; j++) c[ci + j] *= beta;
                int upper = S.loopBound(n);
                for (int j = 0; j < upper; j += VL) {
                    FloatVector acc = FloatVector.fromArray(S, c, ci + j);
                    for (int p = 0; p < k; p++) {
                        float av = transA ? a[ao + p * m + i] : a[ao + i * k + p];
                        acc = FloatVector.fromArray(S, bm, bOff + p * n + j).fma(FloatVector.broadcast(S, av), acc);
                    }
                    acc.intoArray(c, ci + j);
                }
                for (int j = upper; j < n; j++) {
                    float acc = c[ci + j];
                    for (int p = 0; p < k; p++) {
                        float av = transA ? a[ao + p * m + i] : a[ao + i * k + p];
                        acc += av * bm[bOff + p * n + j];
                    }
                    c[ci + j] = acc;
                }
            }
        });
    }
}
