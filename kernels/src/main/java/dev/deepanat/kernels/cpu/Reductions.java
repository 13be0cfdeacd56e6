package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums over axes, and the strided copy (concat, narrow, permute, expand). Sums are vectorized in float over blocks
 * of {@link #BLOCK} elements and accumulated across blocks in double.
 */
final class Reductions {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    static final int BLOCK = 1024;

    private Reductions() {}

    /** Σ x[off, off + len) in float per block, double across blocks. */
    static double sum(float[] x, int off, int len) {
        double total = 0;
        float[] lanes = Lanes.scratch();
        for (int b = 0; b < len; b += BLOCK) {
            int n = Math.min(BLOCK, len - b), i = 0, upper = S.loopBound(n), base = off + b;
            FloatVector acc = FloatVector.zero(S);
            for (; i < upper; i += VL) acc = acc.add(FloatVector.fromArray(S, x, base + i));
            float s = Lanes.sum(acc, lanes);
            for (; i < n; i++) s += x[base + i];
            total += s;
        }
        return total;
    }

    /** out[o] = Σ_n Σ_i dy[(n·channels + o)·stride + i] for i < stride (the bias gradient). */
    static void rowSums(float[] dy, int n, int channels, int stride, float[] out) {
        Parallel.forRange(channels, 1, (lo, hi) -> {
            for (int o = lo; o < hi; o++) {
                double s = 0;
                for (int b = 0; b < n; b++) s += sum(dy, (b * channels + o) * stride, stride);
                out[o] = (float) s;
            }
        });
    }

    static void reduceSum(float[] x, int[] shape, int[] outShape, float[] out) {
        int rank = shape.length;
        long t = 1;
        for (int s : shape) t *= s;
        final long total = t;
        // Input strides (dense) and output strides (0 on reduced axes).
        int[] inStrides = new int[rank], outStrides = new int[rank];
        int si = 1, so = 1;
        for (int k = rank - 1; k >= 0; k--) {
            inStrides[k] = si;
            si *= shape[k];
            outStrides[k] = outShape[k] == 1 ? 0 : so;
            so *= outShape[k];
        }
        int outN = so;
        if (total == 0) {
            java.util.Arrays.fill(out, 0, outN, 0f);
            return;
        }
        Strided m = Strided.merge(shape, inStrides, outStrides);
        int r = m.shape.length;
        int len = m.shape[r - 1];
        boolean innerReduced = m.s2[r - 1] == 0;
        int rows = (int) (total / len);
        if (outN == 1) {
            int chunks = Math.max(1, Math.min(64, (int) (total / (1 << 16))));
            double[] part = new double[chunks];
            int per = (int) ((total + chunks - 1) / chunks);
            Parallel.forRange(chunks, 1, (lo, hi) -> {
                for (int c = lo; c < hi; c++) {
                    int a = c * per, b = (int) Math.min(total, (long) a + per);
                    if (a < b) part[c] = sum(x, a, b - a);
                }
            });
            double s = 0;
            for (double p : part) s += p;
            out[0] = (float) s;
            return;
        }
        double[] acc = new double[outN];
        for (int row = 0; row < rows; row++) {
            int xo = row * len, oo = 0, rem = row;
            for (int k = r - 2; k >= 0; k--) {
                int idx = rem % m.shape[k];
                rem /= m.shape[k];
                oo += idx * m.s2[k];
            }
            if (innerReduced) {
                acc[oo] += sum(x, xo, len);
            } else {
                for (int i = 0; i < len; i++) acc[oo + i] += x[xo + i];
            }
        }
        for (int i = 0; i < outN; i++) out[i] = (float) acc[i];
    }

    /** dst = src for two strided views of one shape. */
    static void copy(float[] src, long srcOff, int[] srcStrides, float[] dst, long dstOff, int[] dstStrides, int[] shape) {
        long total = 1;
        for (int s : shape) total *= s;
        if (total == 0) return;
        Strided m = Strided.merge(shape, srcStrides, dstStrides);
        int r = m.shape.length;
        int len = m.shape[r - 1], ss = m.s1[r - 1], ds = m.s2[r - 1];
        int rows = (int) (total / len);
        int so = (int) srcOff, d0 = (int) dstOff;
        if (rows == 1) {
            if (ss == 1 && ds == 1) System.arraycopy(src, so, dst, d0, len);
            else if (ss == 0 && ds == 1) java.util.Arrays.fill(dst, d0, d0 + len, src[so]);
            else for (int i = 0; i < len; i++) dst[d0 + i * ds] = src[so + i * ss];
            return;
        }
        int grain = Math.max(1, (1 << 15) / Math.max(1, len));
        Parallel.forRange(rows, grain, (lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int a = so, b = d0, rem = row;
                for (int k = r - 2; k >= 0; k--) {
                    int idx = rem % m.shape[k];
                    rem /= m.shape[k];
                    a += idx * m.s1[k];
                    b += idx * m.s2[k];
                }
                if (ss == 1 && ds == 1) System.arraycopy(src, a, dst, b, len);
                else if (ss == 0 && ds == 1) java.util.Arrays.fill(dst, b, b + len, src[a]);
                else for (int i = 0; i < len; i++) dst[b + i * ds] = src[a + i * ss];
            }
        });
    }
}
