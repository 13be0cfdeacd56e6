package dev.deepanat.engine.backend;

import dev.deepanat.engine.Device;

/**
 * The service provider interface every compute backend implements: memory plus a small set of primitive kernels.
 * Autograd, modules and losses are written once, over these primitives; a backend never sees the graph.
 *
 * <p>Contract (see docs/architecture.md):
 * <ul>
 *   <li>Storages come from {@link #allocate} of the same backend; a kernel receives only storages of its own backend.
 *   <li>Kernels may run asynchronously (a GPU stream); {@link #download} and {@link #synchronize} are the only points
 *       where the host waits. A training step therefore stays on one device without a copy or sync per op.
 *   <li>Unless a parameter is a {@link View}, operands are dense row-major buffers starting at element 0.
 *   <li>Outputs never alias inputs, except for the in-place updates {@link #axpy}, {@link #scale} and {@link #adam}.
 *   <li>A backend owns any scratch memory its kernels need (packing buffers, a cuDNN workspace), grows it on demand
 *       and reuses it; nothing is allocated per element.
 * </ul>
 * Backends are discovered with {@link java.util.ServiceLoader}; see {@link Backends}.
 */
public interface Backend {
    /** Short unique name: "reference", "cpu", "cuda". */
    String name();

    Device device();

    /** Higher wins when several backends serve the same device kind. */
    int priority();

    /** Whether this backend can run here (e.g. a CUDA driver and device are present). */
    default boolean available() { return true; }

    // ---- memory -------------------------------------------------------------------------------------------
    /** A zero-filled buffer of n floats. */
    Storage allocate(long n);

    /** Copies host data into a new storage. */
    Storage upload(float[] data);

    /** Copies n elements starting at offset into a new host array (waits for pending kernels). */
    float[] download(Storage s, long offset, int n);

    void fill(Storage s, float value);

    /** dst[...] = src[...] for two strided views of the same shape (materializes permutes, concat, narrow). */
    void copy(View src, View dst);

    /** Waits until every kernel queued so far has finished. */
    default void synchronize() {}

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

    // ---- optimizer ----------------------------------------------------------------------------------------------------
    /** One in-place Adam update of n parameters with their gradient and moment buffers. */
    void adam(AdamStep s, Storage param, Storage grad, Storage m, Storage v, long n);
}
