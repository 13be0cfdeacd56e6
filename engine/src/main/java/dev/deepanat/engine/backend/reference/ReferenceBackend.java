package dev.deepanat.engine.backend.reference;

import dev.deepanat.engine.Device;
import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.backend.AdamStep;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.BinaryOp;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.BatchNormGeometry;
import dev.deepanat.engine.backend.HeapAllocator;
import dev.deepanat.engine.backend.HeapStorage;
import dev.deepanat.engine.backend.MemoryStats;
import dev.deepanat.engine.backend.PoolGeometry;
import dev.deepanat.engine.backend.Storage;
import dev.deepanat.engine.backend.UnaryOp;
import dev.deepanat.engine.backend.UpsampleGeometry;
import dev.deepanat.engine.backend.View;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Plain, single-threaded, obviously-correct loops: the oracle that faster backends are tested against.
 * Accumulations are in double so that the oracle is more accurate than what it checks. Subclasses (the SIMD CPU
 * backend) share its heap storage and override the kernels they make fast.
 */
public class ReferenceBackend implements Backend {
    public static final ReferenceBackend INSTANCE = new ReferenceBackend();

    protected ReferenceBackend() {}

    @Override public String name() { return "reference"; }
    @Override public Device device() { return Device.CPU; }
    @Override public int priority() { return 0; }

    /** Heap memory, counted, with a bounded cache of freed arrays (see {@link HeapAllocator}). */
    protected final HeapAllocator memory = HeapAllocator.withDefaultCache();

    /** The float array behind a live storage of this backend family. */
    protected static float[] arr(Storage s) {
        if (s instanceof HeapStorage h) return h.data();
        throw new IllegalArgumentException("storage of backend " + s.backend().name() + " passed to a CPU kernel");
    }

    @Override
    public Storage allocate(long n) {
        return new HeapStorage(this, memory.allocate(checkedLength(n), true));
    }

    @Override
    public Storage allocateUninitialized(long n) {
        return new HeapStorage(this, memory.allocate(checkedLength(n), false));
    }

    private static int checkedLength(long n) {
        if (n < 0 || n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("allocate: " + n + " floats do not fit a CPU array");
        return (int) n;
    }

    @Override
    public void free(Storage s) {
        if (!(s instanceof HeapStorage h) || s.backend() != this)
            throw new IllegalArgumentException("free: " + s + " does not belong to backend " + name());
        memory.free(h);
    }

    @Override
    public void emptyCache() {
        memory.emptyCache();
    }

    @Override
    public MemoryStats memoryStats() {
        return memory.stats(scratchBytes());
    }

    /** Bytes of the kernels' own scratch buffers (none here). */
    protected long scratchBytes() {
        return 0;
    }

    @Override
    public void resetPeak() {
        memory.resetPeak();
    }

    @Override
    public void copyIn(MemorySegment src, Storage dst, long dstOffset, long n) {
        MemorySegment.copy(src, ValueLayout.JAVA_FLOAT, 0, arr(dst), (int) dstOffset, (int) n);
        memory.countTransfer(n);
    }

    @Override
    public void copyOut(Storage src, long srcOffset, MemorySegment dst, long n) {
        MemorySegment.copy(arr(src), (int) srcOffset, dst, ValueLayout.JAVA_FLOAT, 0, (int) n);
        memory.countTransfer(n);
    }

    @Override
    public void copyIn(float[] src, int srcOffset, Storage dst, long dstOffset, int n) {
        System.arraycopy(src, srcOffset, arr(dst), (int) dstOffset, n);
        memory.countTransfer(n);
    }

    @Override
    public void copyOut(Storage src, long srcOffset, float[] dst, int dstOffset, int n) {
        System.arraycopy(arr(src), (int) srcOffset, dst, dstOffset, n);
        memory.countTransfer(n);
    }

    @Override
    public void synchronize() {
        memory.countSync();
    }

    @Override
    public void fill(Storage s, float value) {
        java.util.Arrays.fill(arr(s), value);
    }

    @Override
    public void copy(View src, View dst) {
        float[] s = arr(src.storage()), d = arr(dst.storage());
        int rank = src.shape().length;
        long n = src.numel();
        int[] idx = new int[rank];
        for (long i = 0; i < n; i++) {
            d[(int) Indexing.offset(dst, idx)] = s[(int) Indexing.offset(src, idx)];
            Indexing.next(idx, src.shape());
        }
    }

    @Override
    public void unary(UnaryOp op, float a, float b, Storage x, Storage out, long n) {
        float[] xs = arr(x), ys = arr(out);
        for (int i = 0; i < n; i++) ys[i] = op.apply(xs[i], a, b);
    }

    @Override
    public void binary(BinaryOp op, View x, View y, Storage out) {
        float[] xs = arr(x.storage()), ys = arr(y.storage()), o = arr(out);
        int[] idx = new int[x.shape().length];
        long n = x.numel();
        for (int i = 0; i < n; i++) {
            o[i] = op.apply(xs[(int) Indexing.offset(x, idx)], ys[(int) Indexing.offset(y, idx)]);
            Indexing.next(idx, x.shape());
        }
    }

    @Override
    public void reduceSum(Storage x, int[] shape, int[] outShape, Storage out) {
        float[] xs = arr(x), o = arr(out);
        double[] acc = new double[o.length];
        int[] outStrides = Shapes.contiguousStrides(outShape);
        int[] idx = new int[shape.length];
        long n = Shapes.numel(shape);
        for (int i = 0; i < n; i++) {
            int oi = 0;
            for (int k = 0; k < shape.length; k++) if (outShape[k] != 1) oi += idx[k] * outStrides[k];
            acc[oi] += xs[i];
            Indexing.next(idx, shape);
        }
        for (int i = 0; i < acc.length; i++) o[i] = (float) acc[i];
    }

    @Override
    public void axpy(float alpha, Storage x, Storage y, long n) {
        float[] xs = arr(x), ys = arr(y);
        for (int i = 0; i < n; i++) ys[i] += alpha * xs[i];
    }

    @Override
    public void scale(float alpha, Storage x, long n) {
        float[] xs = arr(x);
        for (int i = 0; i < n; i++) xs[i] *= alpha;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     Storage a, long aOffset, Storage b, long bOffset, float beta, Storage c, long cOffset) {
        float[] as = arr(a), bs = arr(b), cs = arr(c);
        int ao = (int) aOffset, bo = (int) bOffset, co = (int) cOffset;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? as[ao + p * m + i] : as[ao + i * k + p];
                    float bv = transB ? bs[bo + j * k + p] : bs[bo + p * n + j];
                    acc += (double) av * bv;
                }
                int ci = co + i * n + j;
                cs[ci] = (float) (acc + (beta == 0 ? 0 : beta * cs[ci]));
            }
        }
    }

    @Override
    public void conv3d(ConvGeometry g, Storage x, Storage w, Storage bias, Storage y) {
        ReferenceConv.forward(g, arr(x), arr(w), bias == null ? null : arr(bias), arr(y));
    }

    @Override
    public void conv3dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        ReferenceConv.backwardData(g, arr(dy), arr(w), arr(dx));
    }

    @Override
    public void conv3dBackwardWeight(ConvGeometry g, Storage x, Storage dy, Storage dw, Storage dbias) {
        ReferenceConv.backwardWeight(g, arr(x), arr(dy), arr(dw), dbias == null ? null : arr(dbias));
    }

    @Override
    public void maxPool3d(PoolGeometry g, Storage x, Storage y) {
        ReferencePooling.maxPool(g, arr(x), arr(y));
    }

    @Override
    public void maxPool3dBackward(PoolGeometry g, Storage x, Storage dy, Storage dx) {
        ReferencePooling.maxPoolBackward(g, arr(x), arr(dy), arr(dx));
    }

    @Override
    public void upsampleNearest3d(UpsampleGeometry g, Storage x, Storage y) {
        ReferencePooling.upsample(g, arr(x), arr(y));
    }

    @Override
    public void upsampleNearest3dBackward(UpsampleGeometry g, Storage dy, Storage dx) {
        ReferencePooling.upsampleBackward(g, arr(dy), arr(dx));
    }

    @Override
    public void batchNormForwardTraining(BatchNormGeometry g, float momentum, float eps, Storage x, Storage gamma, Storage beta,
                                         Storage runningMean, Storage runningVar, Storage y, Storage saveMean, Storage saveInvStd) {
        float[] xs = arr(x), ys = arr(y), sm = arr(saveMean), si = arr(saveInvStd);
        float[] ga = gamma == null ? null : arr(gamma), be = beta == null ? null : arr(beta);
        float[] rm = runningMean == null ? null : arr(runningMean), rv = runningVar == null ? null : arr(runningVar);
        long cnt = g.count();
        for (int ch = 0; ch < g.c(); ch++) {
            double sum = 0;
            for (int i = 0; i < g.n(); i++) {
                long base = ((long) i * g.c() + ch) * g.spatial();
                for (long s = 0; s < g.spatial(); s++) sum += xs[(int) (base + s)];
            }
            double mean = sum / cnt, sq = 0;
            for (int i = 0; i < g.n(); i++) {
                long base = ((long) i * g.c() + ch) * g.spatial();
                for (long s = 0; s < g.spatial(); s++) {
                    double d = xs[(int) (base + s)] - mean;
                    sq += d * d;
                }
            }
            double var = sq / cnt, invStd = 1 / Math.sqrt(var + eps);
            double scale = (ga == null ? 1 : ga[ch]) * invStd, shift = be == null ? 0 : be[ch];
            for (int i = 0; i < g.n(); i++) {
                long base = ((long) i * g.c() + ch) * g.spatial();
                for (long s = 0; s < g.spatial(); s++) ys[(int) (base + s)] = (float) ((xs[(int) (base + s)] - mean) * scale + shift);
            }
            sm[ch] = (float) mean;
            si[ch] = (float) invStd;
            if (rm != null && rv != null) {
                rm[ch] = (float) ((1 - momentum) * rm[ch] + momentum * mean);
                rv[ch] = (float) ((1 - momentum) * rv[ch] + momentum * var * cnt / Math.max(1, cnt - 1));
            }
        }
    }

    @Override
    public void batchNormForwardInference(BatchNormGeometry g, float eps, Storage x, Storage gamma, Storage beta,
                                          Storage runningMean, Storage runningVar, Storage y) {
        float[] xs = arr(x), ys = arr(y), rm = arr(runningMean), rv = arr(runningVar);
        float[] ga = gamma == null ? null : arr(gamma), be = beta == null ? null : arr(beta);
        for (int ch = 0; ch < g.c(); ch++) {
            double invStd = 1 / Math.sqrt((double) rv[ch] + eps);
            double scale = (ga == null ? 1 : ga[ch]) * invStd, shift = be == null ? 0 : be[ch];
            for (int i = 0; i < g.n(); i++) {
                long base = ((long) i * g.c() + ch) * g.spatial();
                for (long s = 0; s < g.spatial(); s++) ys[(int) (base + s)] = (float) ((xs[(int) (base + s)] - rm[ch]) * scale + shift);
            }
        }
    }

    @Override
    public void batchNormBackward(BatchNormGeometry g, Storage x, Storage dy, Storage gamma, Storage saveMean, Storage saveInvStd,
                                  Storage dx, Storage dgamma, Storage dbeta) {
        float[] xs = arr(x), dys = arr(dy), sm = arr(saveMean), si = arr(saveInvStd);
        float[] ga = gamma == null ? null : arr(gamma), dxs = dx == null ? null : arr(dx);
        float[] dg = dgamma == null ? null : arr(dgamma), db = dbeta == null ? null : arr(dbeta);
        long cnt = g.count();
        for (int ch = 0; ch < g.c(); ch++) {
            double mean = sm[ch], invStd = si[ch], sumDy = 0, sumDyXhat = 0;
            for (int i = 0; i < g.n(); i++) {
                long base = ((long) i * g.c() + ch) * g.spatial();
                for (long s = 0; s < g.spatial(); s++) {
                    double d = dys[(int) (base + s)];
                    sumDy += d;
                    sumDyXhat += d * (xs[(int) (base + s)] - mean) * invStd;
                }
            }
            if (dg != null) dg[ch] = (float) sumDyXhat;
            if (db != null) db[ch] = (float) sumDy;
            if (dxs == null) continue;
            // dx = γ·invStd·(dy − mean(dy) − x̂·mean(dy·x̂))
            double k = (ga == null ? 1 : ga[ch]) * invStd, meanDy = sumDy / cnt, meanDyXhat = sumDyXhat / cnt;
            for (int i = 0; i < g.n(); i++) {
                long base = ((long) i * g.c() + ch) * g.spatial();
                for (long s = 0; s < g.spatial(); s++) {
                    int j = (int) (base + s);
                    double xhat = (xs[j] - mean) * invStd;
                    dxs[j] = (float) (k * (dys[j] - meanDy - xhat * meanDyXhat));
                }
            }
        }
    }

    @Override
    public void adam(AdamStep s, Storage param, Storage grad, Storage m, Storage v, long n) {
        float[] p = arr(param), gr = arr(grad), ms = arr(m), vs = arr(v);
        double stepSize = s.lr() / s.biasCorrection1();
        double sqrtBc2 = Math.sqrt(s.biasCorrection2());
        for (int i = 0; i < n; i++) {
            float g = gr[i] + s.weightDecay() * p[i];
            ms[i] = s.beta1() * ms[i] + (1 - s.beta1()) * g;
            vs[i] = s.beta2() * vs[i] + (1 - s.beta2()) * g * g;
            double denom = Math.sqrt(vs[i]) / sqrtBc2 + s.eps();
            p[i] = (float) (p[i] - stepSize * ms[i] / denom);
        }
    }
}
