package dev.deepanat.kernels.cuda;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.backend.AdamStep;
import dev.deepanat.engine.backend.BinaryOp;
import dev.deepanat.engine.backend.PoolGeometry;
import dev.deepanat.engine.backend.UnaryOp;
import dev.deepanat.engine.backend.UpsampleGeometry;
import dev.deepanat.engine.backend.View;

import java.util.Arrays;

/**
 * The argument lists of our kernels ({@code deepanat.cu}), in one place: each SPI operation that runs one of them
 * becomes a launch here, over raw addresses. {@link CudaBackend} launches them on its stream; the tests launch the same
 * calls on a host emulation of the kernels (the .cu compiled as C++), so the argument order and the index arithmetic
 * are checked against the reference backend without a GPU.
 */
final class KernelCalls {
    /** Where launches go: the device's stream, or the host emulation. */
    interface Launcher {
        /** A grid-stride kernel over n elements. */
        void launch(String kernel, long n, Object... args);

        /** A kernel with an explicit number of blocks. */
        void launchBlocks(String kernel, int blocks, Object... args);
    }

    private final Launcher l;

    KernelCalls(Launcher l) {
        this.l = l;
    }

    private void grid(String kernel, long n, Object... args) {
        if (n > 0) l.launch(kernel, n, args);
    }

    void fill(long p, long n, float value) {
        grid("da_fill", n, p, n, value);
    }

    void copy(View src, long srcPtr, View dst, long dstPtr) {
        if (!Arrays.equals(src.shape(), dst.shape()))
            throw new IllegalArgumentException("copy: shapes " + Arrays.toString(src.shape()) + " and " + Arrays.toString(dst.shape()) + " differ");
        long n = src.numel();
        grid("da_copy", n, Descriptors.strided(src.shape(), src.strides(), dst.strides()), srcPtr, src.offset(), dstPtr, dst.offset(), n);
    }

    void unary(UnaryOp op, float a, float b, long x, long out, long n) {
        grid("da_unary", n, op.ordinal(), a, b, x, out, n);
    }

    void binary(BinaryOp op, View x, long xPtr, View y, long yPtr, long out) {
        long n = x.numel();
        grid("da_binary", n, op.ordinal(), Descriptors.strided(x.shape(), x.strides(), y.strides()), xPtr, x.offset(), yPtr,
                y.offset(), out, n);
    }

    void reduceSum(long x, int[] shape, int[] outShape, long out) {
        long nOut = Shapes.numel(outShape), n = Shapes.numel(shape);
        if (nOut == 0) return;
        int[] kept = new int[shape.length];
        for (int k = 0; k < shape.length; k++) kept[k] = outShape[k] == 1 && shape[k] != 1 ? 0 : 1;
        int[] d = Descriptors.strided(shape, Shapes.contiguousStrides(shape), kept);
        long nRed = n / nOut;
        // a block per output when there is enough to split among its threads, else a thread per output
        if (nRed >= THREAD_REDUCE_LIMIT) l.launchBlocks("da_reduce_sum", (int) Math.min(nOut, 1 << 30), d, x, out, nOut, nRed);
        else grid("da_reduce_sum_thread", nOut, d, x, out, nOut, nRed);
    }

    /** Reduced elements per output from which reduceSum runs a block per output (da_reduce_sum), below a thread each. */
    static final long THREAD_REDUCE_LIMIT = 128;

    void axpy(float alpha, long x, long y, long n) {
        grid("da_axpy", n, alpha, x, y, n);
    }

    void scale(float alpha, long x, long n) {
        grid("da_scale", n, alpha, x, n);
    }

    void adam(AdamStep a, long param, long grad, long m, long v, long n) {
        grid("da_adam", n, a.beta1(), a.beta2(), a.eps(), a.weightDecay(), a.lr() / a.biasCorrection1(),
                Math.sqrt(a.biasCorrection2()), param, grad, m, v, n);
    }

    static int[] pool(PoolGeometry g) {
        return Descriptors.pool((long) g.n() * g.c(), g.d(), g.h(), g.w(), g.kd(), g.kh(), g.kw(), g.sd(), g.sh(), g.sw(),
                g.od(), g.oh(), g.ow());
    }

    static int[] upsample(UpsampleGeometry g) {
        return Descriptors.pool((long) g.n() * g.c(), g.d(), g.h(), g.w(), g.fd(), g.fh(), g.fw(), 1, 1, 1,
                g.d() * g.fd(), g.h() * g.fh(), g.w() * g.fw());
    }

    void maxPool(PoolGeometry g, long x, long y) {
        grid("da_maxpool", g.outputSize(), pool(g), x, y, g.outputSize());
    }

    void maxPoolBackward(PoolGeometry g, long x, long dy, long dx) {
        long n = (long) g.n() * g.c() * g.d() * g.h() * g.w();
        grid("da_maxpool_backward", n, pool(g), x, dy, dx, n);
    }

    void upsample(UpsampleGeometry g, long x, long y) {
        long n = g.inputSize() * g.fd() * g.fh() * g.fw();
        grid("da_upsample", n, upsample(g), x, y, n);
    }

    void upsampleBackward(UpsampleGeometry g, long dy, long dx) {
        grid("da_upsample_backward", g.inputSize(), upsample(g), dy, dx, g.inputSize());
    }

    /** out [nc, od, oh, ow] = in [nc, d, h, w] shifted by (pz, py, px), zero outside: pads (p > 0) or crops (p < 0). */
    void pad(long nc, int d, int h, int w, int pz, int py, int px, int od, int oh, int ow, long in, long out) {
        long n = nc * od * oh * ow;
        grid("da_pad", n, Descriptors.pool(nc, d, h, w, pz, py, px, 1, 1, 1, od, oh, ow), in, out, n);
    }

    /** Batch-norm training forward with one value per channel; beta, rm, rv may be 0 (null). */
    void batchNormSingle(int c, float eps, float momentum, long x, long beta, long rm, long rv, long y, long saveMean, long saveInvStd) {
        grid("da_bn_single", c, c, eps, momentum, x, beta, rm, rv, y, saveMean, saveInvStd);
    }
}
