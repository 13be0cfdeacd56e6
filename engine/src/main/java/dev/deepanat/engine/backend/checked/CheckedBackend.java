package dev.deepanat.engine.backend.checked;

import dev.deepanat.engine.Device;
import dev.deepanat.engine.backend.AdamStep;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.BatchNormGeometry;
import dev.deepanat.engine.backend.BinaryOp;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.HeapStorage;
import dev.deepanat.engine.backend.MemoryStats;
import dev.deepanat.engine.backend.PoolGeometry;
import dev.deepanat.engine.backend.Storage;
import dev.deepanat.engine.backend.UnaryOp;
import dev.deepanat.engine.backend.UpsampleGeometry;
import dev.deepanat.engine.backend.View;
import dev.deepanat.engine.backend.reference.ReferenceBackend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A pretend device for tests: memory off the Java heap ({@link MemorySegment}, one arena per storage) that the host
 * reaches only through the SPI's transfers, as it would a GPU's. It counts allocations, live bytes, the high-water
 * mark, transfers and synchronizations; fills uninitialized memory and freed memory with a NaN poison (then unmaps
 * the latter); and refuses a freed or foreign storage in any kernel, naming the kernel. Its kernels are the reference
 * backend's, run on copies: slow, exact, and blind to nothing the engine does with memory.
 */
public final class CheckedBackend implements Backend {
    public static final Device DEVICE = new Device("checked", 0);
    /** A quiet NaN with a recognizable payload. */
    public static final float POISON = Float.intBitsToFloat(0x7FC0DEAD);
    private static final ReferenceBackend REF = ReferenceBackend.INSTANCE;
    private static final StackWalker WALKER = StackWalker.getInstance();

    private final Set<CheckedStorage> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private long allocations, frees, liveBytes, peak, transfers, transferBytes, syncs;

    @Override public String name() { return "checked"; }
    @Override public Device device() { return DEVICE; }
    @Override public int priority() { return -10; }

    // ---- memory -------------------------------------------------------------------------------------------
    @Override
    public synchronized Storage allocate(long n) {
        CheckedStorage s = new CheckedStorage(this, n, site());
        allocations++;
        liveBytes += 4 * n;
        peak = Math.max(peak, liveBytes);
        live.add(s);
        return s;
    }

    @Override
    public Storage allocateUninitialized(long n) {
        CheckedStorage s = (CheckedStorage) allocate(n);
        s.segment.fill((byte) 0); // then poison, so a kernel that reads an output before writing it yields NaN
        poison(s);
        return s;
    }

    @Override
    public synchronized void free(Storage s) {
        if (!(s instanceof CheckedStorage c) || s.backend() != this)
            throw new IllegalArgumentException("free: " + s + " does not belong to the checked backend");
        if (!live.remove(c)) throw new IllegalStateException("free: " + s + " is not live (double free)");
        poison(c);
        c.arena.close();
        frees++;
        liveBytes -= 4 * s.size();
    }

    private static void poison(CheckedStorage s) {
        for (long i = 0; i < s.size(); i++) s.segment.setAtIndex(ValueLayout.JAVA_FLOAT, i, POISON);
    }

    @Override
    public synchronized MemoryStats memoryStats() {
        return new MemoryStats(allocations, frees, liveBytes, peak, 0, 0, transfers, transferBytes, syncs);
    }

    @Override
    public synchronized void resetPeak() {
        peak = liveBytes;
    }

    /** The storages alive now by id, each described with its size, users and where it was allocated: a leak report. */
    public synchronized Map<Long, String> liveStorages() {
        Map<Long, String> m = new TreeMap<>();
        for (CheckedStorage s : live) m.put(s.id(), s + " refs=" + s.refCount() + " allocated at " + s.site);
        return m;
    }

    /** The first frames of the allocating stack outside the engine's tensor machinery. */
    private static String site() {
        return WALKER.walk(f -> f.map(StackWalker.StackFrame::toStackTraceElement)
                .filter(e -> !e.getClassName().startsWith("dev.deepanat.engine.backend")
                        && !e.getClassName().equals("dev.deepanat.engine.Tensor")
                        && !e.getClassName().startsWith("dev.deepanat.engine.ops.OpSupport"))
                .limit(3).map(e -> e.getClassName().replaceAll(".*\\.", "") + "." + e.getMethodName() + ":" + e.getLineNumber())
                .collect(Collectors.joining(" ← ")));
    }

    // ---- transfers ---------------------------------------------------------------------------------------
    @Override
    public synchronized void copyIn(MemorySegment src, Storage dst, long dstOffset, long n) {
        CheckedStorage d = own("copyIn", dst);
        checkRange("copyIn", d, dstOffset, n);
        MemorySegment.copy(src, 0, d.segment, 4 * dstOffset, 4 * n);
        transfers++;
        transferBytes += 4 * n;
    }

    @Override
    public synchronized void copyOut(Storage src, long srcOffset, MemorySegment dst, long n) {
        CheckedStorage s = own("copyOut", src);
        checkRange("copyOut", s, srcOffset, n);
        MemorySegment.copy(s.segment, 4 * srcOffset, dst, 0, 4 * n);
        transfers++;
        transferBytes += 4 * n;
    }

    @Override
    public synchronized void synchronize() {
        syncs++;
    }

    private static void checkRange(String what, CheckedStorage s, long offset, long n) {
        if (offset < 0 || n < 0 || offset + n > s.size())
            throw new IndexOutOfBoundsException(what + ": elements [" + offset + ", " + (offset + n) + ") outside " + s);
    }

    // ---- kernels: the reference's, on heap copies ------------------------------------------------------------
    private CheckedStorage own(String kernel, Storage s) {
        if (!(s instanceof CheckedStorage c) || s.backend() != this)
            throw new IllegalArgumentException(kernel + ": " + s + " does not belong to the checked backend");
        s.requireLive(kernel);
        return c;
    }

    /** A heap copy of a live storage for the reference kernel (null stays null). */
    private HeapStorage in(String kernel, Storage s) {
        if (s == null) return null;
        CheckedStorage c = own(kernel, s);
        float[] a = new float[(int) c.size()];
        MemorySegment.copy(c.segment, ValueLayout.JAVA_FLOAT, 0, a, 0, a.length);
        return new HeapStorage(REF, a);
    }

    private View in(String kernel, View v) {
        return new View(in(kernel, v.storage()), v.offset(), v.shape(), v.strides());
    }

    /** Writes a kernel's output back to device memory. */
    private static void out(HeapStorage h, Storage s) {
        if (s == null) return;
        MemorySegment.copy(h.data(), 0, ((CheckedStorage) s).segment, ValueLayout.JAVA_FLOAT, 0, h.data().length);
    }

    @Override
    public synchronized void fill(Storage s, float value) {
        MemorySegment seg = own("fill", s).segment;
        for (long i = 0; i < s.size(); i++) seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, value);
    }

    @Override
    public synchronized void copy(View src, View dst) {
        View s = in("copy", src), d = in("copy", dst);
        REF.copy(s, d);
        out((HeapStorage) d.storage(), dst.storage());
    }

    @Override
    public synchronized void unary(UnaryOp op, float a, float b, Storage x, Storage out, long n) {
        HeapStorage o = in("unary", out);
        REF.unary(op, a, b, in("unary", x), o, n);
        out(o, out);
    }

    @Override
    public synchronized void binary(BinaryOp op, View x, View y, Storage out) {
        HeapStorage o = in("binary", out);
        REF.binary(op, in("binary", x), in("binary", y), o);
        out(o, out);
    }

    @Override
    public synchronized void reduceSum(Storage x, int[] shape, int[] outShape, Storage out) {
        HeapStorage o = in("reduceSum", out);
        REF.reduceSum(in("reduceSum", x), shape, outShape, o);
        out(o, out);
    }

    @Override
    public synchronized void axpy(float alpha, Storage x, Storage y, long n) {
        HeapStorage o = in("axpy", y);
        REF.axpy(alpha, in("axpy", x), o, n);
        out(o, y);
    }

    @Override
    public synchronized void scale(float alpha, Storage x, long n) {
        HeapStorage o = in("scale", x);
        REF.scale(alpha, o, n);
        out(o, x);
    }

    @Override
    public synchronized void gemm(boolean transA, boolean transB, int m, int n, int k, Storage a, long aOffset, Storage b,
                                  long bOffset, float beta, Storage c, long cOffset) {
        HeapStorage o = in("gemm", c);
        REF.gemm(transA, transB, m, n, k, in("gemm", a), aOffset, in("gemm", b), bOffset, beta, o, cOffset);
        out(o, c);
    }

    @Override
    public synchronized void conv3d(ConvGeometry g, Storage x, Storage w, Storage bias, Storage y) {
        HeapStorage o = in("conv3d", y);
        REF.conv3d(g, in("conv3d", x), in("conv3d", w), in("conv3d", bias), o);
        out(o, y);
    }

    @Override
    public synchronized void conv3dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        HeapStorage o = in("conv3dBackwardData", dx);
        REF.conv3dBackwardData(g, in("conv3dBackwardData", dy), in("conv3dBackwardData", w), o);
        out(o, dx);
    }

    @Override
    public synchronized void conv3dBackwardWeight(ConvGeometry g, Storage x, Storage dy, Storage dw, Storage dbias) {
        HeapStorage o = in("conv3dBackwardWeight", dw), ob = in("conv3dBackwardWeight", dbias);
        REF.conv3dBackwardWeight(g, in("conv3dBackwardWeight", x), in("conv3dBackwardWeight", dy), o, ob);
        out(o, dw);
        out(ob, dbias);
    }

    @Override
    public synchronized void maxPool3d(PoolGeometry g, Storage x, Storage y) {
        HeapStorage o = in("maxPool3d", y);
        REF.maxPool3d(g, in("maxPool3d", x), o);
        out(o, y);
    }

    @Override
    public synchronized void maxPool3dBackward(PoolGeometry g, Storage x, Storage dy, Storage dx) {
        HeapStorage o = in("maxPool3dBackward", dx);
        REF.maxPool3dBackward(g, in("maxPool3dBackward", x), in("maxPool3dBackward", dy), o);
        out(o, dx);
    }

    @Override
    public synchronized void upsampleNearest3d(UpsampleGeometry g, Storage x, Storage y) {
        HeapStorage o = in("upsampleNearest3d", y);
        REF.upsampleNearest3d(g, in("upsampleNearest3d", x), o);
        out(o, y);
    }

    @Override
    public synchronized void upsampleNearest3dBackward(UpsampleGeometry g, Storage dy, Storage dx) {
        HeapStorage o = in("upsampleNearest3dBackward", dx);
        REF.upsampleNearest3dBackward(g, in("upsampleNearest3dBackward", dy), o);
        out(o, dx);
    }

    @Override
    public synchronized void batchNormForwardTraining(BatchNormGeometry g, float momentum, float eps, Storage x, Storage gamma,
                                                      Storage beta, Storage runningMean, Storage runningVar, Storage y,
                                                      Storage saveMean, Storage saveInvStd) {
        String k = "batchNormForwardTraining";
        HeapStorage rm = in(k, runningMean), rv = in(k, runningVar), o = in(k, y), sm = in(k, saveMean), si = in(k, saveInvStd);
        REF.batchNormForwardTraining(g, momentum, eps, in(k, x), in(k, gamma), in(k, beta), rm, rv, o, sm, si);
        out(rm, runningMean);
        out(rv, runningVar);
        out(o, y);
        out(sm, saveMean);
        out(si, saveInvStd);
    }

    @Override
    public synchronized void batchNormForwardInference(BatchNormGeometry g, float eps, Storage x, Storage gamma, Storage beta,
                                                       Storage runningMean, Storage runningVar, Storage y) {
        String k = "batchNormForwardInference";
        HeapStorage o = in(k, y);
        REF.batchNormForwardInference(g, eps, in(k, x), in(k, gamma), in(k, beta), in(k, runningMean), in(k, runningVar), o);
        out(o, y);
    }

    @Override
    public synchronized void batchNormBackward(BatchNormGeometry g, Storage x, Storage dy, Storage gamma, Storage saveMean,
                                               Storage saveInvStd, Storage dx, Storage dgamma, Storage dbeta) {
        String k = "batchNormBackward";
        HeapStorage ox = in(k, dx), og = in(k, dgamma), ob = in(k, dbeta);
        REF.batchNormBackward(g, in(k, x), in(k, dy), in(k, gamma), in(k, saveMean), in(k, saveInvStd), ox, og, ob);
        out(ox, dx);
        out(og, dgamma);
        out(ob, dbeta);
    }

    @Override
    public synchronized void adam(AdamStep s, Storage param, Storage grad, Storage m, Storage v, long n) {
        HeapStorage p = in("adam", param), ms = in("adam", m), vs = in("adam", v);
        REF.adam(s, p, in("adam", grad), ms, vs, n);
        out(p, param);
        out(ms, m);
        out(vs, v);
    }
}
