package dev.deepanat.engine.backend;

import dev.deepanat.engine.Device;
import dev.deepanat.engine.profile.KernelCost;
import dev.deepanat.engine.profile.KernelCost.Cost;
import dev.deepanat.engine.profile.Layer;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kernel timing for any backend, as one decorator: every SPI call is forwarded to the wrapped backend and its wall time
 * summed per kernel. Storages are wrapped so that tensors made through this backend dispatch through it. On a device
 * whose kernels are asynchronous each call is followed by a synchronize, so that the time lands on the kernel that
 * spent it (as CUDA_LAUNCH_BLOCKING=1 does); that serializes the device, so profile runs are for attribution, not speed.
 */
public final class ProfiledBackend implements Backend {
    /** One kernel's total: calls and seconds. */
    public record Row(String kernel, long calls, double seconds) {}

    /** The calls of one kernel on one shape in one layer and pass: their count, seconds, FLOP and bytes summed. */
    public record Call(String layer, String pass, String kernel, String shape, long calls, double seconds, double flop, double bytes) {}

    private record Key(String layer, String pass, String kernel, String shape) {}

    /** Mutable sums behind a {@link Call}. */
    private static final class Sums {
        long calls, nanos;
        double flop, bytes;
    }

    private final Backend inner;
    private final boolean syncEach;
    private final Map<String, long[]> times = new ConcurrentHashMap<>();
    private final Map<Key, Sums> calls = new ConcurrentHashMap<>();

    public ProfiledBackend(Backend inner) {
        this.inner = inner;
        this.syncEach = !inner.device().kind().equals("cpu");
    }

    /** The rows so far, most time first. */
    public List<Row> rows() {
        List<Row> r = new ArrayList<>();
        times.forEach((k, v) -> {
            synchronized (v) {
                r.add(new Row(k, v[0], v[1] / 1e9));
            }
        });
        r.sort((a, b) -> Double.compare(b.seconds(), a.seconds()));
        return r;
    }

    /** The rows as a text table. */
    public String table() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-28s %8s %10s%n", "kernel (" + inner.name() + ")", "calls", "seconds"));
        for (Row r : rows()) sb.append(String.format(Locale.ROOT, "%-28s %8d %10.3f%n", r.kernel(), r.calls(), r.seconds()));
        return sb.toString();
    }

    /** Every (layer, pass, kernel, shape) so far, most time first. */
    public List<Call> calls() {
        List<Call> r = new ArrayList<>();
        calls.forEach((k, v) -> {
            synchronized (v) {
                r.add(new Call(k.layer(), k.pass(), k.kernel(), k.shape(), v.calls, v.nanos / 1e9, v.flop, v.bytes));
            }
        });
        r.sort((a, b) -> Double.compare(b.seconds(), a.seconds()));
        return r;
    }

    public void reset() {
        times.clear();
        calls.clear();
    }

    private void time(String kernel, Runnable call) {
        time(kernel, Cost.NONE, call);
    }

    private void time(String kernel, Cost cost, Runnable call) {
        if (syncEach) inner.synchronize(); // nothing queued before this call lands on it
        long t0 = System.nanoTime();
        call.run();
        if (syncEach) inner.synchronize();
        long dt = System.nanoTime() - t0;
        long[] a = times.computeIfAbsent(kernel, k -> new long[2]);
        synchronized (a) {
            a[0]++;
            a[1] += dt;
        }
        Layer.Context c = Layer.current();
        Sums s = calls.computeIfAbsent(new Key(c.layer(), c.pass(), kernel, cost.shape()), k -> new Sums());
        synchronized (s) {
            s.calls++;
            s.nanos += dt;
            s.flop += cost.flop();
            s.bytes += cost.bytes();
        }
    }

    /** A storage of the wrapped backend, seen as this backend's. */
    private static final class Wrapped extends Storage {
        final Storage inner;

        Wrapped(Backend owner, Storage inner) {
            super(owner, inner.size());
            this.inner = inner;
        }
    }

    private static Storage in(Storage s) {
        if (s == null) return null;
        s.requireLive("profiled kernel");
        return ((Wrapped) s).inner;
    }

    private static View in(View v) {
        return new View(in(v.storage()), v.offset(), v.shape(), v.strides());
    }

    @Override public String name() { return inner.name(); }
    @Override public Device device() { return inner.device(); }
    @Override public int priority() { return inner.priority(); }
    @Override public boolean available() { return inner.available(); }

    @Override
    public Storage allocate(long n) {
        Storage[] s = new Storage[1];
        time("allocate", () -> s[0] = inner.allocate(n));
        return new Wrapped(this, s[0]);
    }

    @Override
    public Storage allocateUninitialized(long n) {
        Storage[] s = new Storage[1];
        time("allocate", () -> s[0] = inner.allocateUninitialized(n));
        return new Wrapped(this, s[0]);
    }

    @Override
    public void free(Storage s) {
        time("free", () -> ((Wrapped) s).inner.free());
    }

    @Override public MemoryStats memoryStats() { return inner.memoryStats(); }
    @Override public void resetPeak() { inner.resetPeak(); }
    @Override public void emptyCache() { inner.emptyCache(); }

    @Override
    public void copyIn(MemorySegment src, Storage dst, long dstOffset, long n) {
        time("copyIn", KernelCost.transfer(n), () -> inner.copyIn(src, in(dst), dstOffset, n));
    }

    @Override
    public void copyOut(Storage src, long srcOffset, MemorySegment dst, long n) {
        time("copyOut", KernelCost.transfer(n), () -> inner.copyOut(in(src), srcOffset, dst, n));
    }

    @Override
    public void copyIn(float[] src, int srcOffset, Storage dst, long dstOffset, int n) {
        time("copyIn", KernelCost.transfer(n), () -> inner.copyIn(src, srcOffset, in(dst), dstOffset, n));
    }

    @Override
    public void copyOut(Storage src, long srcOffset, float[] dst, int dstOffset, int n) {
        time("copyOut", KernelCost.transfer(n), () -> inner.copyOut(in(src), srcOffset, dst, dstOffset, n));
    }

    @Override public void fill(Storage s, float value) { time("fill", KernelCost.fill(s.size()), () -> inner.fill(in(s), value)); }
    @Override public void copy(View src, View dst) { time("copy", KernelCost.copy(src), () -> inner.copy(in(src), in(dst))); }
    @Override public void synchronize() { time("synchronize", inner::synchronize); }

    @Override
    public void unary(UnaryOp op, float a, float b, Storage x, Storage out, long n) {
        time("unary", KernelCost.unary(n), () -> inner.unary(op, a, b, in(x), in(out), n));
    }

    @Override
    public void binary(BinaryOp op, View x, View y, Storage out) {
        time("binary", KernelCost.binary(x, y), () -> inner.binary(op, in(x), in(y), in(out)));
    }

    @Override
    public void reduceSum(Storage x, int[] shape, int[] outShape, Storage out) {
        time("reduceSum", KernelCost.reduceSum(shape, outShape), () -> inner.reduceSum(in(x), shape, outShape, in(out)));
    }

    @Override public void axpy(float alpha, Storage x, Storage y, long n) { time("axpy", KernelCost.axpy(n), () -> inner.axpy(alpha, in(x), in(y), n)); }
    @Override public void scale(float alpha, Storage x, long n) { time("scale", KernelCost.scale(n), () -> inner.scale(alpha, in(x), n)); }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, Storage a, long aOffset, Storage b, long bOffset,
                     float beta, Storage c, long cOffset) {
        time("gemm", KernelCost.gemm(m, n, k, beta), () -> inner.gemm(transA, transB, m, n, k, in(a), aOffset, in(b), bOffset, beta, in(c), cOffset));
    }

    @Override
    public void conv3d(ConvGeometry g, Storage x, Storage w, Storage bias, Storage y) {
        time("conv3d", KernelCost.conv3d(g, bias != null), () -> inner.conv3d(g, in(x), in(w), in(bias), in(y)));
    }

    @Override
    public void conv3dRelu(ConvGeometry g, Storage x, Storage w, Storage bias, Storage y) {
        time("conv3dRelu", KernelCost.conv3dRelu(g, bias != null), () -> inner.conv3dRelu(g, in(x), in(w), in(bias), in(y)));
    }

    @Override
    public String settings() {
        return inner.settings();
    }

    @Override
    public boolean conv3dSkipUpInPlace(ConvGeometry g) {
        return inner.conv3dSkipUpInPlace(g);
    }

    @Override
    public void conv3dSkipUp(ConvGeometry g, int cSkip, Storage skip, Storage low, Storage w, Storage bias, Storage y, boolean relu) {
        time("conv3dSkipUp", KernelCost.conv3dSkipUp(g, cSkip, bias != null, relu),
                () -> inner.conv3dSkipUp(g, cSkip, in(skip), in(low), in(w), in(bias), in(y), relu));
    }

    @Override
    public void conv3dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        time("conv3dBackwardData", KernelCost.conv3dBackwardData(g), () -> inner.conv3dBackwardData(g, in(dy), in(w), in(dx)));
    }

    @Override
    public void conv3dBackwardWeight(ConvGeometry g, Storage x, Storage dy, Storage dw, Storage dbias) {
        time("conv3dBackwardWeight", KernelCost.conv3dBackwardWeight(g, dbias != null), () -> inner.conv3dBackwardWeight(g, in(x), in(dy), in(dw), in(dbias)));
    }

    @Override
    public void maxPool3d(PoolGeometry g, Storage x, Storage y) {
        time("maxPool3d", KernelCost.maxPool3d(g), () -> inner.maxPool3d(g, in(x), in(y)));
    }

    @Override
    public void maxPool3dBackward(PoolGeometry g, Storage x, Storage dy, Storage dx) {
        time("maxPool3dBackward", KernelCost.maxPool3dBackward(g), () -> inner.maxPool3dBackward(g, in(x), in(dy), in(dx)));
    }

    @Override
    public void upsampleNearest3d(UpsampleGeometry g, Storage x, Storage y) {
        time("upsampleNearest3d", KernelCost.upsample(g), () -> inner.upsampleNearest3d(g, in(x), in(y)));
    }

    @Override
    public void upsampleNearest3dBackward(UpsampleGeometry g, Storage dy, Storage dx) {
        time("upsampleNearest3dBackward", KernelCost.upsampleBackward(g), () -> inner.upsampleNearest3dBackward(g, in(dy), in(dx)));
    }

    @Override
    public void batchNormForwardTraining(BatchNormGeometry g, float momentum, float eps, Storage x, Storage gamma, Storage beta,
                                         Storage runningMean, Storage runningVar, Storage y, Storage saveMean, Storage saveInvStd) {
        time("batchNormForwardTraining", KernelCost.batchNormForwardTraining(g), () -> inner.batchNormForwardTraining(g, momentum, eps, in(x), in(gamma), in(beta),
                in(runningMean), in(runningVar), in(y), in(saveMean), in(saveInvStd)));
    }

    @Override
    public void batchNormForwardInference(BatchNormGeometry g, float eps, Storage x, Storage gamma, Storage beta,
                                          Storage runningMean, Storage runningVar, Storage y) {
        time("batchNormForwardInference", KernelCost.batchNormForwardInference(g), () -> inner.batchNormForwardInference(g, eps, in(x), in(gamma), in(beta),
                in(runningMean), in(runningVar), in(y)));
    }

    @Override
    public void batchNormBackward(BatchNormGeometry g, Storage x, Storage dy, Storage gamma, Storage saveMean, Storage saveInvStd,
                                  Storage dx, Storage dgamma, Storage dbeta) {
        time("batchNormBackward", KernelCost.batchNormBackward(g), () -> inner.batchNormBackward(g, in(x), in(dy), in(gamma), in(saveMean), in(saveInvStd),
                in(dx), in(dgamma), in(dbeta)));
    }

    @Override
    public void adam(AdamStep s, Storage param, Storage grad, Storage m, Storage v, long n) {
        time("adam", KernelCost.adam(s, n), () -> inner.adam(s, in(param), in(grad), in(m), in(v), n));
    }
}
