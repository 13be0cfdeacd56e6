package dev.deepanat.kernels.cuda;

import dev.deepanat.engine.Device;
import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.backend.AdamStep;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.BatchNormGeometry;
import dev.deepanat.engine.backend.BinaryOp;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.MemoryStats;
import dev.deepanat.engine.backend.PoolGeometry;
import dev.deepanat.engine.backend.Storage;
import dev.deepanat.engine.backend.UnaryOp;
import dev.deepanat.engine.backend.UpsampleGeometry;
import dev.deepanat.engine.backend.View;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.deepanat.kernels.cuda.Fn.INT;
import static dev.deepanat.kernels.cuda.Fn.LONG;
import static dev.deepanat.kernels.cuda.Fn.PTR;

/**
 * The CUDA backend: device memory behind a caching allocator, one stream, cuBLAS for gemm, cuDNN for convolutions and
 * batch normalization, and our NVRTC-compiled kernels ({@code deepanat.cu}) for the rest. Everything is bound with
 * {@code java.lang.foreign} (no JNI, no native build step). It starts lazily, at the first {@link #available()}: the
 * libraries are found ({@link LibrarySearch}), the driver initialized on device 0's primary context, cuDNN's
 * sub-libraries checked, the kernels compiled for the device's {@code sm_XX}. Anything missing makes it unavailable
 * with one line saying what ({@link #unavailableReason()}); the CPU backends are unaffected.
 *
 * <p>All kernels are queued on one stream in order; {@link #synchronize()} is the only host wait ({@code copyOut}
 * completes there). Calls are serialized on this object; the context is made current on each calling thread.
 */
public final class CudaBackend implements Backend {
    public static final Device DEVICE = new Device("cuda", 0);

    private volatile boolean started;
    private String reason;
    private State st;
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    private volatile boolean tf32 = CudaConv.tf32Default(System.getProperty("deepanat.cuda.tf32"), System.getenv("DEEPANAT_CUDA_TF32"));
    private long allocations, frees, liveBytes, peak, transfers, transferBytes, syncs;

    /** Everything that exists once the device is up. */
    private record State(Driver cu, Nvrtc nvrtc, Cublas blas, Cudnn dnn, MemorySegment ctx, MemorySegment stream,
                         String description, DeviceAllocator memory, PinnedStaging staging, CudaKernels kernels,
                         Cublas.Handle blasHandle, Cudnn.Handle dnnHandle, CudaConv conv, KernelCalls k) {}

    public CudaBackend() {}

    @Override public String name() { return "cuda"; }
    @Override public Device device() { return DEVICE; }
    @Override public int priority() { return 100; }

    @Override
    public boolean available() {
        start();
        return st != null;
    }

    /** Why the backend cannot run here (one line), or null when it can. */
    @Override
    public String unavailableReason() {
        start();
        return reason;
    }

    /** "NVIDIA H100 80GB HBM3, sm_90, driver 13000, cuDNN 91900, cuBLAS 13.1.0, NVRTC 13.1, TF32 on" once started. */
    public String description() {
        start();
        return st == null ? "unavailable: " + reason : st.description();
    }

    @Override
    public String settings() {
        return "TF32 " + (tf32 ? "on" : "off");
    }

    /** Whether convolutions may use TF32 tensor cores (-Ddeepanat.cuda.tf32, DEEPANAT_CUDA_TF32). */
    public boolean tf32() {
        return tf32;
    }

    /** Allows or forbids TF32 in convolutions from now on (plans are cached per setting); for tests and benchmarks. */
    public void useTf32(boolean allow) {
        tf32 = allow;
    }

    private synchronized void start() {
        if (started) return;
        started = true;
        try {
            st = init(LibrarySearch.fromEnvironment());
        } catch (RuntimeException | LinkageError e) {
            // anything that stops the start makes the backend unavailable, with the first line of what stopped it
            String m = e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
            reason = (e instanceof CudaException ? "" : e.getClass().getSimpleName() + ": ") + m.lines().findFirst().orElse(m);
        }
    }

    private State init(LibrarySearch search) {
        Driver cu = new Driver(CudaLibraries.driver(search));
        // the libraries first: a missing one is reported even where no device exists
        Nvrtc nvrtc = new Nvrtc(CudaLibraries.nvrtc(search));
        Cublas blas = new Cublas(CudaLibraries.cublas(search));
        Cudnn dnn = new Cudnn(CudaLibraries.cudnn(search));
        dnn.versionChecks();
        cu.call(Driver.cuInit, 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment i = a.allocate(INT), p = a.allocate(PTR);
            cu.call(Driver.cuDeviceGetCount, i);
            if (i.get(INT, 0) < 1) throw new CudaException("no CUDA device (cuDeviceGetCount = 0)");
            cu.call(Driver.cuDeviceGet, i, 0);
            int dev = i.get(INT, 0);
            cu.call(Driver.cuDevicePrimaryCtxRetain, p, dev);
            MemorySegment ctx = p.get(PTR, 0);
            cu.call(Driver.cuCtxSetCurrent, ctx);
            current.set(true);
            cu.call(Driver.cuDeviceGetAttribute, i, Driver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
            int cc = 10 * i.get(INT, 0);
            cu.call(Driver.cuDeviceGetAttribute, i, Driver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
            cc += i.get(INT, 0);
            cu.call(Driver.cuDeviceGetAttribute, i, Driver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev);
            int sms = i.get(INT, 0);
            MemorySegment name = a.allocate(256);
            cu.call(Driver.cuDeviceGetName, name, 256, dev);
            cu.call(Driver.cuDriverGetVersion, i);
            int driverVersion = i.get(INT, 0);
            MemorySegment total = a.allocate(LONG);
            cu.call(Driver.cuDeviceTotalMem, total, dev);
            cu.call(Driver.cuStreamCreate, p, Driver.CU_STREAM_NON_BLOCKING);
            MemorySegment stream = p.get(PTR, 0);
            CudaKernels kernels = new CudaKernels(cu, nvrtc, cc, sms);
            Cublas.Handle bh = blas.new Handle(stream);
            Cudnn.Handle dh = dnn.new Handle(stream);
            String desc = name.getString(0) + ", sm_" + cc + ", driver " + driverVersion + ", cuDNN " + dnn.version()
                    + ", cuBLAS " + blas.version() + ", NVRTC " + nvrtc.version() + ", TF32 " + (tf32 ? "on" : "off");
            KernelCalls calls = new KernelCalls(new KernelCalls.Launcher() {
                @Override public void launch(String kernel, long n, Object... args) { kernels.launch(stream, kernel, n, args); }
                @Override public void launchBlocks(String kernel, int blocks, Object... args) { kernels.launchGrid(stream, kernel, blocks, args); }
            });
            return new State(cu, nvrtc, blas, dnn, ctx, stream, desc, new DeviceAllocator(cu, dev, stream),
                    new PinnedStaging(cu, stream), kernels, bh, dh, new CudaConv(dnn, dh, workspaceLimit(total.get(LONG, 0))), calls);
        }
    }

    /**
     * The largest cuDNN workspace an algorithm may ask for before a leaner one is taken: a quarter of the device's
     * memory (the heuristics rank by speed alone, and an FFT algorithm can ask for more than the device has).
     */
    static long workspaceLimit(long deviceBytes) {
        return Math.max(64L << 20, deviceBytes / 4);
    }

    /** The started state, with the context current on this thread. */
    private State s() {
        if (!started) start();
        if (st == null) throw new CudaException("cuda backend unavailable: " + reason);
        if (!current.get()) {
            st.cu().call(Driver.cuCtxSetCurrent, st.ctx());
            current.set(true);
        }
        return st;
    }

    // ---- memory ---------------------------------------------------------------------------------------------------
    @Override
    public synchronized Storage allocate(long n) {
        Storage s = allocateUninitialized(n);
        fill(s, 0f);
        return s;
    }

    @Override
    public synchronized Storage allocateUninitialized(long n) {
        if (n < 0) throw new IllegalArgumentException("allocate: negative size " + n);
        State s = s();
        long ptr = s.memory().allocate(4 * n);
        allocations++;
        liveBytes += 4 * n;
        peak = Math.max(peak, liveBytes);
        return new CudaStorage(this, n, ptr, SizeClasses.classOf(4 * n));
    }

    @Override
    public synchronized void free(Storage s) {
        if (!(s instanceof CudaStorage c) || s.backend() != this)
            throw new IllegalArgumentException("free: " + s + " does not belong to the cuda backend");
        st.memory().free(c.ptr, c.blockBytes);
        bnEps.remove(c);
        frees++;
        liveBytes -= 4 * s.size();
    }

    /** A temporary device buffer for one kernel sequence (returned to the cache right after it is queued). */
    private CudaStorage temp(long n) {
        return (CudaStorage) allocateUninitialized(n);
    }

    @Override
    public synchronized MemoryStats memoryStats() {
        long cached = st == null ? 0 : st.memory().cachedBytes;
        long scratch = st == null ? 0 : workspaceBytes + constBytes + st.staging().pinnedBytes;
        return new MemoryStats(allocations, frees, liveBytes, peak, cached, scratch, transfers, transferBytes, syncs);
    }

    @Override
    public synchronized void resetPeak() {
        peak = liveBytes;
    }

    @Override
    public synchronized void emptyCache() {
        if (st == null) return;
        State s = s();
        s.memory().emptyCache();
        s.staging().trim();
    }

    // ---- transfers ------------------------------------------------------------------------------------------------
    private CudaStorage own(String kernel, Storage s) {
        if (!(s instanceof CudaStorage c) || s.backend() != this)
            throw new IllegalArgumentException(kernel + ": " + s + " does not belong to the cuda backend");
        s.requireLive(kernel);
        return c;
    }

    private static void checkRange(String what, Storage s, long offset, long n) {
        if (offset < 0 || n < 0 || offset + n > s.size())
            throw new IndexOutOfBoundsException(what + ": elements [" + offset + ", " + (offset + n) + ") outside " + s);
    }

    @Override
    public synchronized void copyIn(MemorySegment src, Storage dst, long dstOffset, long n) {
        CudaStorage d = own("copyIn", dst);
        checkRange("copyIn", d, dstOffset, n);
        if (n > 0) s().staging().upload(src, d.at(dstOffset), 4 * n);
        transfers++;
        transferBytes += 4 * n;
    }

    @Override
    public synchronized void copyOut(Storage src, long srcOffset, MemorySegment dst, long n) {
        CudaStorage c = own("copyOut", src);
        checkRange("copyOut", c, srcOffset, n);
        if (n > 0) s().staging().download(c.at(srcOffset), dst, 4 * n);
        transfers++;
        transferBytes += 4 * n;
    }

    @Override
    public synchronized void synchronize() {
        syncs++;
        if (st == null) return;
        State s = s();
        s.cu().call(Driver.cuStreamSynchronize, s.stream());
        s.staging().finishDownloads();
    }

    // ---- our kernels (argument lists in KernelCalls) ---------------------------------------------------------------
    private KernelCalls k() {
        return s().k();
    }

    @Override
    public synchronized void fill(Storage x, float value) {
        long p = own("fill", x).ptr;
        k().fill(p, x.size(), value);
    }

    @Override
    public synchronized void copy(View src, View dst) {
        long s = own("copy", src.storage()).ptr, d = own("copy", dst.storage()).ptr;
        k().copy(src, s, dst, d);
    }

    @Override
    public synchronized void unary(UnaryOp op, float a, float b, Storage x, Storage out, long n) {
        long xp = own("unary", x).ptr, op2 = own("unary", out).ptr;
        k().unary(op, a, b, xp, op2, n);
    }

    @Override
    public synchronized void binary(BinaryOp op, View x, View y, Storage out) {
        long xp = own("binary", x.storage()).ptr, yp = own("binary", y.storage()).ptr, o = own("binary", out).ptr;
        k().binary(op, x, xp, y, yp, o);
    }

    @Override
    public synchronized void reduceSum(Storage x, int[] shape, int[] outShape, Storage out) {
        long xp = own("reduceSum", x).ptr, o = own("reduceSum", out).ptr;
        k().reduceSum(xp, shape, outShape, o);
    }

    @Override
    public synchronized void axpy(float alpha, Storage x, Storage y, long n) {
        long xp = own("axpy", x).ptr, yp = own("axpy", y).ptr;
        k().axpy(alpha, xp, yp, n);
    }

    @Override
    public synchronized void scale(float alpha, Storage x, long n) {
        long xp = own("scale", x).ptr;
        k().scale(alpha, xp, n);
    }

    @Override
    public synchronized void adam(AdamStep a, Storage param, Storage grad, Storage m, Storage v, long n) {
        long p = own("adam", param).ptr, g = own("adam", grad).ptr, mp = own("adam", m).ptr, vp = own("adam", v).ptr;
        k().adam(a, p, g, mp, vp, n);
    }

    @Override
    public synchronized void maxPool3d(PoolGeometry g, Storage x, Storage y) {
        long xp = own("maxPool3d", x).ptr, yp = own("maxPool3d", y).ptr;
        k().maxPool(g, xp, yp);
    }

    @Override
    public synchronized void maxPool3dBackward(PoolGeometry g, Storage x, Storage dy, Storage dx) {
        long xp = own("maxPool3dBackward", x).ptr, dyp = own("maxPool3dBackward", dy).ptr, dxp = own("maxPool3dBackward", dx).ptr;
        k().maxPoolBackward(g, xp, dyp, dxp);
    }

    @Override
    public synchronized void upsampleNearest3d(UpsampleGeometry g, Storage x, Storage y) {
        long xp = own("upsampleNearest3d", x).ptr, yp = own("upsampleNearest3d", y).ptr;
        k().upsample(g, xp, yp);
    }

    @Override
    public synchronized void upsampleNearest3dBackward(UpsampleGeometry g, Storage dy, Storage dx) {
        long dyp = own("upsampleNearest3dBackward", dy).ptr, dxp = own("upsampleNearest3dBackward", dx).ptr;
        k().upsampleBackward(g, dyp, dxp);
    }

    // ---- cuBLAS ---------------------------------------------------------------------------------------------------
    @Override
    public synchronized void gemm(boolean transA, boolean transB, int m, int n, int k, Storage a, long aOffset, Storage b,
                                  long bOffset, float beta, Storage c, long cOffset) {
        CudaStorage as = own("gemm", a), bs = own("gemm", b), cs = own("gemm", c);
        if (m == 0 || n == 0) return;
        if (k == 0) { // C = beta · C, as the reference (an empty sum)
            long mn = (long) m * n;
            if (beta == 0) k().fill(cs.at(cOffset), mn, 0f);
            else k().scale(beta, cs.at(cOffset), mn);
            return;
        }
        s().blasHandle().sgemmRowMajor(transA, transB, m, n, k, as.at(aOffset), bs.at(bOffset), beta, cs.at(cOffset));
    }

    // ---- cuDNN convolutions ---------------------------------------------------------------------------------------
    private long workspaceBytes, workspacePtr;

    /** The backend's one cuDNN workspace, grown to the largest request (it is scratch, reported as such). */
    private long workspace(long bytes) {
        if (bytes <= workspaceBytes) return workspacePtr;
        State s = s();
        if (workspacePtr != 0) s.memory().free(workspacePtr, workspaceBytes);
        workspacePtr = s.memory().allocate(bytes);
        workspaceBytes = SizeClasses.classOf(bytes);
        return workspacePtr;
    }

    /** The input as cuDNN sees it: x itself, or a zero-padded copy when the plan pads explicitly. */
    private CudaStorage paddedInput(ConvGeometry g, CudaConv.Plan p, CudaStorage x) {
        if (!p.pad.explicit()) return null;
        int[] d = p.pad.padded();
        CudaStorage xp = temp((long) g.n() * g.cIn() * d[0] * d[1] * d[2]);
        k().pad((long) g.n() * g.cIn(), g.d(), g.h(), g.w(), g.pd(), g.ph(), g.pw(), d[0], d[1], d[2], x.ptr, xp.ptr);
        return xp;
    }

    @Override
    public synchronized void conv3d(ConvGeometry g, Storage x, Storage w, Storage bias, Storage y) {
        CudaStorage xs = own("conv3d", x), ws = own("conv3d", w), ys = own("conv3d", y);
        long bp = bias == null ? 0 : own("conv3d", bias).ptr;
        CudaConv.Plan p = s().conv().plan(g, tf32);
        CudaStorage xp = paddedInput(g, p, xs);
        s().conv().forward(p, xp == null ? xs.ptr : xp.ptr, ws.ptr, bp, ys.ptr, workspace(p.workspace[CudaConv.FWD]));
        if (xp != null) xp.free();
    }

    @Override
    public synchronized void conv3dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        CudaStorage dys = own("conv3dBackwardData", dy), ws = own("conv3dBackwardData", w), dxs = own("conv3dBackwardData", dx);
        CudaConv.Plan p = s().conv().plan(g, tf32);
        long wsp = workspace(p.workspace[CudaConv.BWD_DATA]);
        if (!p.pad.explicit()) {
            s().conv().backwardData(p, dys.ptr, ws.ptr, dxs.ptr, wsp);
            return;
        }
        int[] d = p.pad.padded();
        CudaStorage dxp = temp((long) g.n() * g.cIn() * d[0] * d[1] * d[2]);
        s().conv().backwardData(p, dys.ptr, ws.ptr, dxp.ptr, wsp);
        // crop: dx[z] = dxPadded[z + p], 0 where no window reached
        k().pad((long) g.n() * g.cIn(), d[0], d[1], d[2], -g.pd(), -g.ph(), -g.pw(), g.d(), g.h(), g.w(), dxp.ptr, dxs.ptr);
        dxp.free();
    }

    @Override
    public synchronized void conv3dBackwardWeight(ConvGeometry g, Storage x, Storage dy, Storage dw, Storage dbias) {
        CudaStorage xs = own("conv3dBackwardWeight", x), dys = own("conv3dBackwardWeight", dy), dws = own("conv3dBackwardWeight", dw);
        long db = dbias == null ? 0 : own("conv3dBackwardWeight", dbias).ptr;
        CudaConv.Plan p = s().conv().plan(g, tf32);
        CudaStorage xp = paddedInput(g, p, xs);
        s().conv().backwardFilter(p, xp == null ? xs.ptr : xp.ptr, dys.ptr, dws.ptr, db, workspace(p.workspace[CudaConv.BWD_FILTER]));
        if (xp != null) xp.free();
    }

    // ---- cuDNN batch normalization -------------------------------------------------------------------------------
    private long constBytes, onesPtr, zerosPtr;
    private int constLength;

    /** Device vectors of c ones and c zeros, for a missing gamma or beta (grown on demand, kept). */
    private void constants(int c) {
        if (c <= constLength) return;
        State s = s();
        if (onesPtr != 0) {
            s.memory().free(onesPtr, SizeClasses.classOf(4L * constLength));
            s.memory().free(zerosPtr, SizeClasses.classOf(4L * constLength));
        }
        onesPtr = s.memory().allocate(4L * c);
        zerosPtr = s.memory().allocate(4L * c);
        k().fill(onesPtr, c, 1f);
        k().fill(zerosPtr, c, 0f);
        constLength = c;
        constBytes = 2 * SizeClasses.classOf(4L * c);
    }

    /**
     * The epsilon of the training forward that wrote each live saveInvStd: cuDNN's header asks for the same epsilon in
     * the backward ("Should be the same in forward and backward functions"), which the SPI does not pass.
     */
    private final java.util.Map<CudaStorage, Double> bnEps = new java.util.IdentityHashMap<>();

    /** x as cuDNN's [n, c, 1, spatial] and the per-channel [1, c, 1, 1]. */
    private Cudnn.TensorDesc[] bnDescs(BatchNormGeometry g) {
        if (g.spatial() > Integer.MAX_VALUE) throw new IllegalArgumentException("batchNorm: spatial size " + g.spatial() + " exceeds 2^31");
        Cudnn dnn = s().dnn();
        return new Cudnn.TensorDesc[] {dnn.new TensorDesc(g.n(), g.c(), 1, (int) g.spatial()), dnn.new TensorDesc(1, g.c(), 1, 1)};
    }

    private static MemorySegment addr(long p) {
        return MemorySegment.ofAddress(p);
    }

    @Override
    public synchronized void batchNormForwardTraining(BatchNormGeometry g, float momentum, float eps, Storage x, Storage gamma,
                                                      Storage beta, Storage runningMean, Storage runningVar, Storage y,
                                                      Storage saveMean, Storage saveInvStd) {
        String k = "batchNormForwardTraining";
        CudaStorage xs = own(k, x), ys = own(k, y), sm = own(k, saveMean), si = own(k, saveInvStd);
        constants(g.c());
        long ga = gamma == null ? onesPtr : own(k, gamma).ptr, be = beta == null ? zerosPtr : own(k, beta).ptr;
        boolean running = runningMean != null && runningVar != null;
        long rm = running ? own(k, runningMean).ptr : 0, rv = running ? own(k, runningVar).ptr : 0;
        if (g.count() == 1) { // one value per channel: cuDNN refuses it; its result is exact and simple
            k().batchNormSingle(g.c(), eps, momentum, xs.ptr, beta == null ? 0L : own(k, beta).ptr, rm, rv, ys.ptr, sm.ptr, si.ptr);
            return;
        }
        State s = s();
        Cudnn.TensorDesc[] d = bnDescs(g);
        bnEps.put(si, (double) eps);
        try (Arena a = Arena.ofConfined(); Cudnn.TensorDesc xd = d[0]; Cudnn.TensorDesc cd = d[1]) {
            MemorySegment one = a.allocateFrom(Fn.FLOAT, 1f), zero = a.allocateFrom(Fn.FLOAT, 0f);
            s.dnn().call(Cudnn.cudnnBatchNormalizationForwardTraining, s.dnnHandle().handle, Cudnn.CUDNN_BATCHNORM_SPATIAL, one, zero,
                    xd.desc, addr(xs.ptr), xd.desc, addr(ys.ptr), cd.desc, addr(ga), addr(be), (double) momentum, addr(rm),
                    addr(rv), (double) eps, addr(sm.ptr), addr(si.ptr));
        }
    }

    @Override
    public synchronized void batchNormForwardInference(BatchNormGeometry g, float eps, Storage x, Storage gamma, Storage beta,
                                                       Storage runningMean, Storage runningVar, Storage y) {
        String k = "batchNormForwardInference";
        CudaStorage xs = own(k, x), ys = own(k, y), rm = own(k, runningMean), rv = own(k, runningVar);
        constants(g.c());
        long ga = gamma == null ? onesPtr : own(k, gamma).ptr, be = beta == null ? zerosPtr : own(k, beta).ptr;
        State s = s();
        Cudnn.TensorDesc[] d = bnDescs(g);
        try (Arena a = Arena.ofConfined(); Cudnn.TensorDesc xd = d[0]; Cudnn.TensorDesc cd = d[1]) {
            MemorySegment one = a.allocateFrom(Fn.FLOAT, 1f), zero = a.allocateFrom(Fn.FLOAT, 0f);
            s.dnn().call(Cudnn.cudnnBatchNormalizationForwardInference, s.dnnHandle().handle, Cudnn.CUDNN_BATCHNORM_SPATIAL, one,
                    zero, xd.desc, addr(xs.ptr), xd.desc, addr(ys.ptr), cd.desc, addr(ga), addr(be), addr(rm.ptr), addr(rv.ptr),
                    (double) eps);
        }
    }

    @Override
    public synchronized void batchNormBackward(BatchNormGeometry g, Storage x, Storage dy, Storage gamma, Storage saveMean,
                                               Storage saveInvStd, Storage dx, Storage dgamma, Storage dbeta) {
        String k = "batchNormBackward";
        CudaStorage xs = own(k, x), dys = own(k, dy), sm = own(k, saveMean), si = own(k, saveInvStd);
        constants(g.c());
        long ga = gamma == null ? onesPtr : own(k, gamma).ptr;
        // cuDNN writes dx, dgamma and dbeta always: scratch for those the caller does not want
        if (g.count() == 1) { // x̂ = 0: dx = 0, dgamma = 0, dbeta = dy
            if (dx != null) fill(own(k, dx), 0f);
            if (dgamma != null) fill(own(k, dgamma), 0f);
            if (dbeta != null) copy(View.contiguous(dys, g.c()), View.contiguous(own(k, dbeta), g.c()));
            return;
        }
        CudaStorage dxTemp = dx == null ? temp(g.numel()) : null, dgTemp = dgamma == null ? temp(g.c()) : null,
                dbTemp = dbeta == null ? temp(g.c()) : null;
        long dxp = dx == null ? dxTemp.ptr : own(k, dx).ptr, dgp = dgamma == null ? dgTemp.ptr : own(k, dgamma).ptr,
                dbp = dbeta == null ? dbTemp.ptr : own(k, dbeta).ptr;
        State s = s();
        Cudnn.TensorDesc[] d = bnDescs(g);
        try (Arena a = Arena.ofConfined(); Cudnn.TensorDesc xd = d[0]; Cudnn.TensorDesc cd = d[1]) {
            MemorySegment one = a.allocateFrom(Fn.FLOAT, 1f), zero = a.allocateFrom(Fn.FLOAT, 0f);
            // the saved mean and inverse std carry the statistics; the epsilon is the forward's, as cuDNN asks
            s.dnn().call(Cudnn.cudnnBatchNormalizationBackward, s.dnnHandle().handle, Cudnn.CUDNN_BATCHNORM_SPATIAL, one, zero,
                    one, zero, xd.desc, addr(xs.ptr), xd.desc, addr(dys.ptr), xd.desc, addr(dxp), cd.desc, addr(ga), addr(dgp),
                    addr(dbp), bnEps.getOrDefault(si, 1e-5), addr(sm.ptr), addr(si.ptr));
        } finally {
            for (CudaStorage t : new CudaStorage[] {dxTemp, dgTemp, dbTemp}) if (t != null) t.free();
        }
    }
}
