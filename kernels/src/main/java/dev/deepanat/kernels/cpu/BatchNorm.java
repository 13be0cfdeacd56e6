package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import dev.deepanat.engine.backend.BatchNormGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch normalization over x [n, c, spatial] (cuDNN's spatial mode), with the reference backend's semantics.
 *
 * <p>The split: every (n, channel) plane is cut into blocks of {@link #BLOCK} values (the last one shorter; a plane
 * smaller than a block is one block), and the blocks of all planes are the work items, handed to the shared pool in
 * chunks of about {@link #GRAIN} values. So a U-Net layer with 8 channels of 64³ still gives hundreds of chunks, and
 * a GAN layer of 512 channels of 4³ gives a few large ones. Each pass is one parallel loop over the blocks:
 * <ul>
 *   <li>statistics (training forward): per block its mean and centered sum of squares M2, from a float vector sum
 *       (mean estimate m) and then, with the block still in L1, float vector sums of d = x − m and d² (shifted data:
 *       mean = m + Σd/len, M2 = Σd² − (Σd)²/len, in double). The per-channel mean and M2 are then combined from the
 *       block results in double, in a fixed order (plane by plane, block by block): mean = Σ len·mean_b / count,
 *       M2 = Σ (M2_b + len·(mean_b − mean)²);</li>
 *   <li>gradient sums (backward): per block float vector sums of dy and dy·(x − mean), combined per channel in double
 *       in the same fixed order;</li>
 *   <li>the elementwise pass: y = (x − mean)·scale + shift (the mean as a float pair, see {@link #affine}), or
 *       dx = ((dy − mean(dy)) − (x − mean)·c)·γ·invStd, with per-channel float coefficients computed once in
 *       double.</li>
 * </ul>
 * The block boundaries, the lane order ({@link Lanes}) and the combining order do not depend on the number of
 * threads, so the results are bit-identical for any thread count. Per call the kernel allocates two doubles per
 * block and a few floats per channel, nothing per element.
 */
final class BatchNorm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    /** Values per block: float accumulation within a block (BLOCK / VL values per lane), double across blocks. */
    static final int BLOCK = 1024;
    /** About this many values per parallel chunk. */
    static final int GRAIN = 1 << 15;

    private BatchNorm() {}

    /** The fixed cut of the planes into blocks: item = plane · blocks + block, plane = i · c + channel. */
    private record Split(int c, int spatial, int blocks, int items, int grain) {
        static Split of(BatchNormGeometry g) {
            if (g.numel() > Integer.MAX_VALUE) throw new IllegalArgumentException("batchNorm: " + g + " does not fit a CPU array");
            int spatial = (int) g.spatial(), blocks = (spatial + BLOCK - 1) / BLOCK;
            return new Split(g.c(), spatial, blocks, g.n() * g.c() * blocks, Math.max(1, GRAIN / Math.min(spatial, BLOCK)));
        }

        int start(int item) {
            return item / blocks * spatial + item % blocks * BLOCK;
        }

        int len(int item) {
            return Math.min(BLOCK, spatial - item % blocks * BLOCK);
        }

        int channel(int item) {
            return item / blocks % c;
        }

        /** The item of block b of sample i, channel ch. */
        int item(int i, int ch, int b) {
            return (i * c + ch) * blocks + b;
        }
    }

    static void forwardTraining(BatchNormGeometry g, float momentum, float eps, float[] x, float[] gamma, float[] beta,
                                float[] runningMean, float[] runningVar, float[] y, float[] saveMean, float[] saveInvStd) {
        Split sp = Split.of(g);
        double[] bMean = new double[sp.items], bM2 = new double[sp.items];
        Parallel.forRange(sp.items, sp.grain, (lo, hi) -> {
            float[] lanes = Lanes.scratch();
            for (int it = lo; it < hi; it++) blockStats(x, sp.start(it), sp.len(it), lanes, bMean, bM2, it);
        });
        int c = g.c();
        long cnt = g.count();
        float[] mean = new float[c], meanLo = new float[c], scale = new float[c], shift = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < g.n(); i++)
                for (int b = 0; b < sp.blocks; b++) {
                    int it = sp.item(i, ch, b);
                    sum += sp.len(it) * bMean[it];
                }
            double mu = sum / cnt, m2 = 0;
            for (int i = 0; i < g.n(); i++)
                for (int b = 0; b < sp.blocks; b++) {
                    int it = sp.item(i, ch, b);
                    double d = bMean[it] - mu;
                    m2 += bM2[it] + sp.len(it) * d * d;
                }
            double var = m2 / cnt, invStd = 1 / Math.sqrt(var + eps);
            mean[ch] = (float) mu;
            meanLo[ch] = (float) (mu - mean[ch]);
            scale[ch] = (float) ((gamma == null ? 1 : gamma[ch]) * invStd);
            shift[ch] = beta == null ? 0f : beta[ch];
            saveMean[ch] = (float) mu;
            saveInvStd[ch] = (float) invStd;
            if (runningMean != null && runningVar != null) {
                runningMean[ch] = (float) ((1 - momentum) * runningMean[ch] + momentum * mu);
                runningVar[ch] = (float) ((1 - momentum) * runningVar[ch] + momentum * var * cnt / Math.max(1, cnt - 1));
            }
        }
        affine(sp, x, y, mean, meanLo, scale, shift);
    }

    static void forwardInference(BatchNormGeometry g, float eps, float[] x, float[] gamma, float[] beta,
                                 float[] runningMean, float[] runningVar, float[] y) {
        Split sp = Split.of(g);
        int c = g.c();
        float[] mean = new float[c], scale = new float[c], shift = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double invStd = 1 / Math.sqrt((double) runningVar[ch] + eps);
            mean[ch] = runningMean[ch];
            scale[ch] = (float) ((gamma == null ? 1 : gamma[ch]) * invStd);
            shift[ch] = beta == null ? 0f : beta[ch];
        }
        affine(sp, x, y, mean, new float[c], scale, shift);
    }

    static void backward(BatchNormGeometry g, float[] x, float[] dy, float[] gamma, float[] saveMean, float[] saveInvStd,
                         float[] dx, float[] dgamma, float[] dbeta) {
        if (dx == null && dgamma == null && dbeta == null) return;
        Split sp = Split.of(g);
        double[] bDy = new double[sp.items], bDyXc = new double[sp.items];
        Parallel.forRange(sp.items, sp.grain, (lo, hi) -> {
            float[] lanes = Lanes.scratch();
            for (int it = lo; it < hi; it++)
                blockGradSums(x, dy, saveMean[sp.channel(it)], sp.start(it), sp.len(it), lanes, bDy, bDyXc, it);
        });
        int c = g.c();
        long cnt = g.count();
        float[] mean = new float[c], k = new float[c], meanDy = new float[c], negXc = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double sumDy = 0, sumDyXc = 0;
            for (int i = 0; i < g.n(); i++)
                for (int b = 0; b < sp.blocks; b++) {
                    int it = sp.item(i, ch, b);
                    sumDy += bDy[it];
                    sumDyXc += bDyXc[it];
                }
            double invStd = saveInvStd[ch], sumDyXhat = sumDyXc * invStd;
            if (dgamma != null) dgamma[ch] = (float) sumDyXhat;
            if (dbeta != null) dbeta[ch] = (float) sumDy;
            // dx = γ·invStd·(dy − mean(dy) − x̂·mean(dy·x̂)), x̂ = (x − mean)·invStd
            mean[ch] = saveMean[ch];
            k[ch] = (float) ((gamma == null ? 1 : gamma[ch]) * invStd);
            meanDy[ch] = (float) (sumDy / cnt);
            negXc[ch] = (float) (-invStd * sumDyXhat / cnt);
        }
        if (dx == null) return;
        Parallel.forRange(sp.items, sp.grain, (lo, hi) -> {
            for (int it = lo; it < hi; it++) {
                int ch = sp.channel(it);
                blockDx(x, dy, dx, sp.start(it), sp.len(it), mean[ch], k[ch], meanDy[ch], negXc[ch]);
            }
        });
    }

    /** bMean[it] and bM2[it]: the mean and centered sum of squares of x[off, off + len). */
    private static void blockStats(float[] x, int off, int len, float[] lanes, double[] bMean, double[] bM2, int it) {
        int i = 0, upper = S.loopBound(len);
        FloatVector acc = FloatVector.zero(S);
        for (; i < upper; i += VL) acc = acc.add(FloatVector.fromArray(S, x, off + i));
        float s = Lanes.sum(acc, lanes);
        for (; i < len; i++) s += x[off + i];
        float m = s / len;
        FloatVector mv = FloatVector.broadcast(S, m), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S);
        for (i = 0; i < upper; i += VL) {
            FloatVector d = FloatVector.fromArray(S, x, off + i).sub(mv);
            a1 = a1.add(d);
            a2 = d.fma(d, a2);
        }
        float s1 = Lanes.sum(a1, lanes), s2 = Lanes.sum(a2, lanes);
        for (; i < len; i++) {
            float d = x[off + i] - m;
            s1 += d;
            s2 = Math.fma(d, d, s2);
        }
        double d1 = (double) s1 / len;
        bMean[it] = m + d1;
        bM2[it] = Math.max(0, s2 - s1 * d1);
    }

    /** bDy[it] = Σ dy and bDyXc[it] = Σ dy·(x − mean) over [off, off + len). */
    private static void blockGradSums(float[] x, float[] dy, float mean, int off, int len, float[] lanes,
                                      double[] bDy, double[] bDyXc, int it) {
        int i = 0, upper = S.loopBound(len);
        FloatVector mv = FloatVector.broadcast(S, mean), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S);
        for (; i < upper; i += VL) {
            FloatVector d = FloatVector.fromArray(S, dy, off + i);
            a1 = a1.add(d);
            a2 = FloatVector.fromArray(S, x, off + i).sub(mv).fma(d, a2);
        }
        float s1 = Lanes.sum(a1, lanes), s2 = Lanes.sum(a2, lanes);
        for (; i < len; i++) {
            float d = dy[off + i];
            s1 += d;
            s2 = Math.fma(x[off + i] - mean, d, s2);
        }
        bDy[it] = s1;
        bDyXc[it] = s2;
    }

    /**
     * y = (x − mean − meanLo)·scale + shift per channel, over every block. meanLo is what the double batch mean loses
     * when rounded to the float mean: x − mean is exact for x near the mean, so y keeps the reference's accuracy when
     * the mean is large against the spread (float inputs near 1000 with a spread of 0.01 lost 3 digits without it).
     */
    private static void affine(Split sp, float[] x, float[] y, float[] mean, float[] meanLo, float[] scale, float[] shift) {
        Parallel.forRange(sp.items, sp.grain, (lo, hi) -> {
            for (int it = lo; it < hi; it++) {
                int ch = sp.channel(it), off = sp.start(it), len = sp.len(it), i = 0, upper = S.loopBound(len);
                float m = mean[ch], ml = meanLo[ch], a = scale[ch], b = shift[ch];
                FloatVector mv = FloatVector.broadcast(S, m), lv = FloatVector.broadcast(S, ml);
                FloatVector av = FloatVector.broadcast(S, a), bv = FloatVector.broadcast(S, b);
                for (; i < upper; i += VL)
                    FloatVector.fromArray(S, x, off + i).sub(mv).sub(lv).fma(av, bv).intoArray(y, off + i);
                for (; i < len; i++) y[off + i] = Math.fma(x[off + i] - m - ml, a, b);
            }
        });
    }

    /** dx = ((dy − meanDy) + (x − mean)·negXc)·k over [off, off + len). */
    private static void blockDx(float[] x, float[] dy, float[] dx, int off, int len, float mean, float k, float meanDy,
                                float negXc) {
        int i = 0, upper = S.loopBound(len);
        FloatVector mv = FloatVector.broadcast(S, mean), kv = FloatVector.broadcast(S, k);
        FloatVector dv = FloatVector.broadcast(S, meanDy), cv = FloatVector.broadcast(S, negXc);
        for (; i < upper; i += VL) {
            FloatVector g = FloatVector.fromArray(S, dy, off + i).sub(dv);
            FloatVector.fromArray(S, x, off + i).sub(mv).fma(cv, g).mul(kv).intoArray(dx, off + i);
        }
        for (; i < len; i++) dx[off + i] = Math.fma(x[off + i] - mean, negXc, dy[off + i] - meanDy) * k;
    }
}
