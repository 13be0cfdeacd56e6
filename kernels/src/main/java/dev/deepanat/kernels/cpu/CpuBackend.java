package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import dev.deepanat.engine.backend.AdamStep;
import dev.deepanat.engine.backend.BinaryOp;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.PoolGeometry;
import dev.deepanat.engine.backend.Storage;
import dev.deepanat.engine.backend.UnaryOp;
import dev.deepanat.engine.backend.UpsampleGeometry;
import dev.deepanat.engine.backend.View;
import dev.deepanat.engine.backend.reference.ReferenceBackend;

/**
 * The fast CPU backend: multi-threaded on one shared pool ({@link Parallel}) and vectorized with the Vector API
 * (FloatVector.SPECIES_PREFERRED). This class only dispatches; each concern has its own kernel class. Kernels not
 * overridden here, and the convolution cases without a fast path (stride ≠ 1), run the reference backend's loops.
 * Storages are the reference backend's heap arrays, so tensors move between the two without a copy of semantics.
 */
public class CpuBackend extends ReferenceBackend {
    /** With -Ddeepanat.cpu.profile=true, the time spent in each kernel is summed and printed at each synchronize(). */
    static final boolean PROFILE = Boolean.getBoolean("deepanat.cpu.profile");
    private static final java.util.Map<String, long[]> TIMES = new java.util.concurrent.ConcurrentHashMap<>();

    /** Prints the kernel times summed since the last print (at each {@link #synchronize()} when profiling). */
    private static void printProfile() {
        System.err.println("deepanat cpu kernel profile since the last synchronize (calls, seconds):");
        TIMES.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).forEach(e ->
                System.err.printf(java.util.Locale.ROOT, "  %-28s %8d %9.3f%n", e.getKey(), e.getValue()[0], e.getValue()[1] / 1e9));
        TIMES.clear();
    }

    @Override
    public void synchronize() {
        if (PROFILE) printProfile();
    }

    private static long t0() {
        return PROFILE ? System.nanoTime() : 0;
    }

    private static void t1(String what, long t0) {
        if (!PROFILE) return;
        long dt = System.nanoTime() - t0;
        long[] a = TIMES.computeIfAbsent(what, k -> new long[2]);
        synchronized (a) {
            a[0]++;
            a[1] += dt;
        }
    }

    public CpuBackend() {
        Warmup.start();
    }

    @Override
    public dev.deepanat.engine.backend.Storage allocate(long n) {
        long t = t0();
        Storage s = super.allocate(n);
        t1("allocate", t);
        return s;
    }

    @Override public String name() { return "cpu"; }
    @Override public int priority() { return 10; }

    @Override
    public void copy(View src, View dst) {
        long t = t0();
        Reductions.copy(arr(src.storage()), src.offset(), src.strides(), arr(dst.storage()), dst.offset(), dst.strides(),
                src.shape());
        t1("copy", t);
    }

    @Override
    public void unary(UnaryOp op, float a, float b, Storage x, Storage out, long n) {
        long t = t0();
        Elementwise.unary(op, a, b, arr(x), arr(out), (int) n);
        t1("unary", t);
    }

    @Override
    public void binary(BinaryOp op, View x, View y, Storage out) {
        long t = t0();
        Elementwise.binary(op, arr(x.storage()), x.offset(), x.strides(), arr(y.storage()), y.offset(), y.strides(),
                x.shape(), arr(out));
        t1("binary", t);
    }

    @Override
    public void reduceSum(Storage x, int[] shape, int[] outShape, Storage out) {
        long t = t0();
        Reductions.reduceSum(arr(x), shape, outShape, arr(out));
        t1("reduceSum", t);
    }

    @Override
    public void axpy(float alpha, Storage x, Storage y, long n) {
        long t = t0();
        Elementwise.axpy(alpha, arr(x), arr(y), (int) n);
        t1("axpy", t);
    }

    @Override
    public void scale(float alpha, Storage x, long n) {
        long t = t0();
        Elementwise.scale(alpha, arr(x), (int) n);
        t1("scale", t);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     Storage a, long aOffset, Storage b, long bOffset, float beta, Storage c, long cOffset) {
        long t = t0();
        Gemm.run(transA, transB, m, n, k, arr(a), (int) aOffset, arr(b), (int) bOffset, beta, arr(c), (int) cOffset);
        t1("gemm", t);
    }

    @Override
    public void conv3d(ConvGeometry g, Storage x, Storage w, Storage bias, Storage y) {
        long t = t0();
        if (!ConvForward.supports(g)) {
            super.conv3d(g, x, w, bias, y);
            t1("conv3d", t);
            return;
        }
        int k = g.cIn() * g.kd() * g.kh() * g.kw();
        float[] pack = Scratch.floats(Scratch.PACK, ConvForward.packedSize(g.cOut(), k));
        ConvForward.packWeights(arr(w), g.cOut(), k, pack);
        ConvForward.run(g, arr(x), pack, bias == null ? null : arr(bias), arr(y));
        t1("conv3d", t);
    }

    @Override
    public void conv3dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        long t = t0();
        if (!ConvBackwardData.supports(g)) {
            super.conv3dBackwardData(g, dy, w, dx);
            t1("conv3dBackwardData", t);
            return;
        }
        ConvBackwardData.run(g, arr(dy), arr(w), arr(dx));
        t1("conv3dBackwardData", t);
    }

    @Override
    public void conv3dBackwardWeight(ConvGeometry g, Storage x, Storage dy, Storage dw, Storage dbias) {
        long t = t0();
        if (!ConvForward.supports(g)) {
            super.conv3dBackwardWeight(g, x, dy, dw, dbias);
            t1("conv3dBackwardWeight", t);
            return;
        }
        ConvBackwardWeight.run(g, arr(x), arr(dy), arr(dw), dbias == null ? null : arr(dbias));
        t1("conv3dBackwardWeight", t);
    }

    @Override
    public void maxPool3d(PoolGeometry g, Storage x, Storage y) {
        long t = t0();
        Pooling.maxPool(g, arr(x), arr(y));
        t1("maxPool3d", t);
    }

    @Override
    public void maxPool3dBackward(PoolGeometry g, Storage x, Storage dy, Storage dx) {
        long t = t0();
        Pooling.maxPoolBackward(g, arr(x), arr(dy), arr(dx));
        t1("maxPool3dBackward", t);
    }

    @Override
    public void upsampleNearest3d(UpsampleGeometry g, Storage x, Storage y) {
        long t = t0();
        Pooling.upsample(g, arr(x), arr(y));
        t1("upsampleNearest3d", t);
    }

    @Override
    public void upsampleNearest3dBackward(UpsampleGeometry g, Storage dy, Storage dx) {
        long t = t0();
        Pooling.upsampleBackward(g, arr(dy), arr(dx));
        t1("upsampleNearest3dBackward", t);
    }

    @Override
    public void adam(AdamStep s, Storage param, Storage grad, Storage m, Storage v, long n) {
        long t = t0();
        AdamKernel.run(s, arr(param), arr(grad), arr(m), arr(v), (int) n);
        t1("adam", t);
    }
}
