package dev.deepanat.engine.backend;

import dev.deepanat.engine.Device;

/**
 * The service provider interface every compute backend implements: memory, transfers and a small set of primitive
 * kernels. Autograd, modules and losses are written once, over these primitives; a backend never sees the graph.
 *
 * <p>Contract (see docs/architecture.md, "Memory" and "Adding a device backend"):
 * <ul>
 *   <li>Storages come from {@link #allocate} / {@link #allocateUninitialized} of the same backend; a kernel receives
 *       only live storages of its own backend. The engine frees each storage exactly once, through {@link Storage},
 *       the moment its last user lets go; the backend may keep the memory for reuse.
 *   <li>Kernels may run asynchronously, in order, on one queue (a CUDA stream). {@link #synchronize} is the only host
 *       wait: {@link #copyOut} may return before its data arrive, which are valid after the next synchronize.
 *       {@link #copyIn} has read its source when it returns. A training step therefore never waits on the host except
 *       where the caller reads a value.
 *   <li>Unless a parameter is a {@link View}, operands are dense row-major buffers starting at element 0.
 *   <li>Outputs never alias inputs, except for the in-place updates {@link #axpy}, {@link #scale} and {@link #adam}
 *       and the running statistics of batch normalization. Kernels overwrite every element of their outputs, so
 *       outputs may come from {@link #allocateUninitialized}.
 *   <li>A backend owns any scratch memory its kernels need (packing buffers, a cuDNN workspace), grows it on demand
 *       and reuses it; nothing is allocated per element. {@link #memoryStats} reports it.
 * </ul>
 * Backends are discovered with {@link java.util.ServiceLoader}; see {@link Backends}. Every backend found runs the one
 * conformance suite ({@code BackendConformanceTest}) against the reference backend.
 */
public interface Backend {
    /** Short unique name: "reference", "cpu", "checked", "cuda". */
    String name();

    Device device();

    /** Higher wins when several backends serve the same device kind. */
    int priority();

    /** Whether this backend can run here (e.g. a CUDA driver and device are present). */
    default boolean available() { return true; }

    /** Why {@link #available()} is false, in one line ("cuDNN not found; searched: ..."); null when it is available. */
    default String unavailableReason() { return available() ? null : name() + " is not available here"; }

    /**
     * The settings that change how this backend's kernels compute, in a few words for headers and records
     * ("Winograd F(2³,3³) on", "TF32 off"); empty when there are none.
     */
    default String settings() { return ""; }

    // ---- memory -------------------------------------------------------------------------------------------
    /** A zero-filled buffer of n floats. */
    Storage allocate(long n);

    /** A buffer of n floats whose contents are unspecified (for outputs a kernel overwrites whole). */
    default Storage allocateUninitialized(long n) {
        return allocate(n);
    }

    /**
     * Takes back the memory of a storage whose last user let go. Called by {@link Storage#free()} only, exactly once
     * per storage; the memory may be handed out again by the next allocation.
     */
    void free(Storage s);

    /** Counters of this backend's memory and host traffic. */
    MemoryStats memoryStats();

    /** Starts a new high-water mark at the current live bytes. */
    void resetPeak();

    /** Returns cached, unused memory to the system (after an allocation failure, or on request). */
    default void emptyCache() {}

    // ---- transfers ------------------------------------------------------------------------------------------
    /** dst[dstOffset ..] ← n floats of host memory src (native byte order); src may be reused when this returns. */
    void copyIn(java.lang.foreign.MemorySegment src, Storage dst, long dstOffset, long n);

    /** n floats of src from srcOffset → host memory dst (native byte order), valid after {@link #synchronize}. */
    void copyOut(Storage src, long srcOffset, java.lang.foreign.MemorySegment dst, long n);

    default void copyIn(float[] src, int srcOffset, Storage dst, long dstOffset, int n) {
        copyIn(java.lang.foreign.MemorySegment.ofArray(src).asSlice(4L * srcOffset, 4L * n), dst, dstOffset, n);
    }

    default void copyOut(Storage src, long srcOffset, float[] dst, int dstOffset, int n) {
        copyOut(src, srcOffset, java.lang.foreign.MemorySegment.ofArray(dst).asSlice(4L * dstOffset, 4L * n), n);
    }

    /** Copies host data into a new storage. */
    default Storage upload(float[] data) {
        Storage s = allocateUninitialized(data.length);
        copyIn(data, 0, s, 0, data.length);
        return s;
    }

    /** Copies n elements starting at offset into a new host array and waits for them (one transfer, one sync). */
    default float[] download(Storage s, long offset, int n) {
        float[] out = new float[n];
        copyOut(s, offset, out, 0, n);
        synchronize();
        return out;
    }

    void fill(Storage s, float value);

    /** dst[...] = src[...] for two strided views of the same shape on this device (permutes, concat, narrow, copies). */
    void copy(View src, View dst);

    /** Waits until every kernel and transfer queued so far has finished: the only host wait. */
    void synchronize();

    // ---- elementwise and reductions ---------------------------------------------------------------------------
    /** out[i] = op(x[i]; a, b) over n dense elements. */
    void unary(UnaryOp op, float a, float b, Storage x, Storage out, long n);

    /** out (dense, shape = the views' common shape) = op(x, y); broadcast dimensions have stride 0. */
    void binary(BinaryOp op, View x, View y, Storage out);

    /** out = sum of x [shape] over the axes where outShape is 1 (same rank); out is dense with outShape. */
    void reduceSum(Storage x, int[] shape, int[] outShape, Storage out);

    /** y[i] += alpha · x[i] for n elements (gradient accumulation, SGD). */
    void axpy(float alpha, Storage x, Storage y, long n);

    /** x[i] *= alpha for n elements. */
    void scale(float alpha, Storage x, long n);

    // ---- dense linear algebra -----------------------------------------------------------------------------------
    /**
     * C[m×n] = op(A) · op(B) + beta · C, row-major, where op(A) is m×k (A stored k×m when transA) and op(B) is k×n
     * (B stored n×k when transB). Offsets are element offsets into the storages.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              Storage a, long aOffset, Storage b, long bOffset, float beta, Storage c, long cOffset);

    // ---- convolution, pooling, resampling -------------------------------------------------------------------------
    /** y = conv(x, w) + bias; bias may be null. */
    void conv3d(ConvGeometry g, Storage x, Storage w, Storage bias, Storage y);

    /**
     * y = max(0, conv(x, w) + bias), the fused epilogue of the U-Net's conv → ReLU; bias may be null. The definition,
     * this default, is {@link #conv3d} followed by {@link UnaryOp#RELU} over y in place (the one place an elementwise
     * kernel's output aliases its input; every backend's unary is a per-element map, so that is safe). A backend may
     * instead apply the ReLU as it stores y (the cpu backend does), saving a pass over y.
     */
    default void conv3dRelu(ConvGeometry g, Storage x, Storage w, Storage bias, Storage y) {
        conv3d(g, x, w, bias, y);
        unary(UnaryOp.RELU, 0f, 0f, y, y, g.outputSize());
    }

    /**
     * Whether {@link #conv3dSkipUp} reads its inputs in place for g. When it does not (this default), it holds the
     * upsampled level and the concatenation besides both inputs, and a caller that can free the skip and the
     * upsampled level before the convolution (as the U-Net does) uses less memory running the three ops itself.
     */
    default boolean conv3dSkipUpInPlace(ConvGeometry g) {
        return false;
    }

    /**
     * The U-Net decoder's first convolution for inference, y = conv(concat(skip, upsample(low)), w) + bias (rectified
     * when relu): its input is the skip connection, channels [0, cSkip), followed by the next coarser level upsampled
     * ×2 (nearest) on every axis. g is the geometry over that concatenated input (its sizes are skip's; low has half
     * of each, all even). The definition, this default, materializes the upsampled level and the concatenation, then
     * runs {@link #conv3d} or {@link #conv3dRelu}; a backend may read both inputs in place instead (the cpu backend's
     * Winograd path does: at whole-volume size the two tensors it skips are 1.6 and 2.4 GB).
     */
    default void conv3dSkipUp(ConvGeometry g, int cSkip, Storage skip, Storage low, Storage w, Storage bias, Storage y,
                              boolean relu) {
        int n = g.n(), cLow = g.cIn() - cSkip;
        long vox = (long) g.d() * g.h() * g.w();
        Storage up = allocateUninitialized(n * cLow * vox), cat = allocateUninitialized(g.inputSize());
        try {
            upsampleNearest3d(new UpsampleGeometry(n, cLow, g.d() / 2, g.h() / 2, g.w() / 2, 2, 2, 2), low, up);
            int a = Math.toIntExact(cSkip * vox), b = Math.toIntExact(cLow * vox), all = a + b;
            copy(new View(skip, 0, new int[] {n, a}, new int[] {a, 1}), new View(cat, 0, new int[] {n, a}, new int[] {all, 1}));
            copy(new View(up, 0, new int[] {n, b}, new int[] {b, 1}), new View(cat, a, new int[] {n, b}, new int[] {all, 1}));
            if (relu) conv3dRelu(g, cat, w, bias, y);
            else conv3d(g, cat, w, bias, y);
        } finally {
            up.free();
            cat.free();
        }
    }

    /** dx = conv_transpose(dy, w) (overwrites dx). */
    void conv3dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx);

    /** dw = correlation of x with dy (overwrites dw); dbias = sum of dy over n and space, when dbias is not null. */
    void conv3dBackwardWeight(ConvGeometry g, Storage x, Storage dy, Storage dw, Storage dbias);

    void maxPool3d(PoolGeometry g, Storage x, Storage y);

    /** dx = routing of dy to the first maximum of each window of x (overwrites dx). */
    void maxPool3dBackward(PoolGeometry g, Storage x, Storage dy, Storage dx);

    void upsampleNearest3d(UpsampleGeometry g, Storage x, Storage y);

    /** dx = sum of dy over each upsampled block (overwrites dx). */
    void upsampleNearest3dBackward(UpsampleGeometry g, Storage dy, Storage dx);

    // ---- batch normalization (cuDNN's spatial mode) ------------------------------------------------------------------
    /**
     * Training forward over x [n, c, spatial]: per channel the batch mean and biased variance, y = (x − mean) · invStd ·
     * gamma + beta with invStd = 1/√(var + eps); saveMean and saveInvStd [c] receive mean and invStd for the backward.
     * When runningMean and runningVar are given they become (1 − momentum) · running + momentum · (mean, unbiased var).
     * gamma and beta may be null (1 and 0).
     */
    void batchNormForwardTraining(BatchNormGeometry g, float momentum, float eps, Storage x, Storage gamma, Storage beta,
                                  Storage runningMean, Storage runningVar, Storage y, Storage saveMean, Storage saveInvStd);

    /** Inference: y = (x − runningMean) / √(runningVar + eps) · gamma + beta; gamma and beta may be null. */
    void batchNormForwardInference(BatchNormGeometry g, float eps, Storage x, Storage gamma, Storage beta,
                                   Storage runningMean, Storage runningVar, Storage y);

    /**
     * The gradient of the training forward: dx, and dgamma = Σ dy · x̂ and dbeta = Σ dy per channel when they are not
     * null, from x, dy and the forward's saveMean / saveInvStd (x̂ = (x − mean) · invStd). gamma may be null (1).
     */
    void batchNormBackward(BatchNormGeometry g, Storage x, Storage dy, Storage gamma, Storage saveMean, Storage saveInvStd,
                           Storage dx, Storage dgamma, Storage dbeta);

    // ---- optimizer ----------------------------------------------------------------------------------------------------
    /** One in-place Adam update of n parameters with their gradient and moment buffers. */
    void adam(AdamStep s, Storage param, Storage grad, Storage m, Storage v, long n);
}
