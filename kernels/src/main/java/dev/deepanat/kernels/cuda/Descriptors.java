package dev.deepanat.kernels.cuda;

import dev.deepanat.engine.backend.ConvGeometry;

/**
 * The pure arithmetic behind the descriptors and kernel arguments: dense strides, how a convolution maps onto cuDNN's
 * symmetric padding, and the packing of a strided pair for the elementwise kernels. Tested without a GPU.
 */
final class Descriptors {
    private Descriptors() {}

    /** Maximum rank of the strided kernels (MAXR in deepanat.cu). */
    static final int MAX_RANK = 8;

    static int[] denseStrides(int[] dims) {
        int[] s = new int[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            if (acc > Integer.MAX_VALUE) throw new IllegalArgumentException("cuDNN descriptor: a stride exceeds 2^31 for dims "
                    + java.util.Arrays.toString(dims));
            s[i] = (int) acc;
            acc *= dims[i];
        }
        return s;
    }

    /**
     * How one convolution runs on cuDNN, which pads symmetrically. When padding {@code p} before an axis and the same
     * after gives the geometry's output size, cuDNN takes the geometry as it is ({@code explicit == false}). Otherwise
     * (TensorFlow's 'same' with more padding at the end, or input that no window reaches) the input is zero-padded
     * explicitly into a volume of {@code padded} size (its element {@code z} is input element {@code z − p}) and cuDNN
     * runs unpadded on it.
     */
    record ConvPlan(boolean explicit, int[] cudnnPad, int[] padded) {
        static ConvPlan of(ConvGeometry g) {
            int[] in = {g.d(), g.h(), g.w()}, k = {g.kd(), g.kh(), g.kw()}, s = {g.sd(), g.sh(), g.sw()},
                    p = {g.pd(), g.ph(), g.pw()}, out = {g.od(), g.oh(), g.ow()};
            boolean symmetric = true;
            for (int i = 0; i < 3; i++)
                if (Math.floorDiv(in[i] + 2 * p[i] - k[i], s[i]) + 1 != out[i]) symmetric = false;
            if (symmetric) return new ConvPlan(false, p, in);
            int[] padded = new int[3];
            for (int i = 0; i < 3; i++) padded[i] = (out[i] - 1) * s[i] + k[i];
            return new ConvPlan(true, new int[3], padded);
        }
    }

    /** Whether a convolution is 2D for cuDNN: depth 1 in input, kernel and output, no depth padding. */
    static boolean isFlat(ConvGeometry g, ConvPlan plan) {
        return plan.padded()[0] == 1 && g.kd() == 1 && g.od() == 1 && plan.cudnnPad()[0] == 0;
    }

    /** [n, c, d, h, w] → [n, c, h, w] when flat (the depth, index 2, dropped); unchanged otherwise. */
    static int[] drop(int[] ncdhw, boolean flat) {
        return flat ? new int[] {ncdhw[0], ncdhw[1], ncdhw[3], ncdhw[4]} : ncdhw;
    }

    /** Dims [n, c, d, h, w] of the input cuDNN sees. */
    static int[] cudnnInput(ConvGeometry g, ConvPlan plan) {
        return new int[] {g.n(), g.cIn(), plan.padded()[0], plan.padded()[1], plan.padded()[2]};
    }

    /** The ints of {@code struct Strided} (rank, shape[8], s0[8], s1[8]) for two strided operands of one shape. */
    static int[] strided(int[] shape, int[] s0, int[] s1) {
        if (shape.length > MAX_RANK) throw new IllegalArgumentException("cuda: rank " + shape.length + " > " + MAX_RANK);
        int[] r = new int[1 + 3 * MAX_RANK];
        r[0] = shape.length;
        for (int i = 0; i < shape.length; i++) {
            r[1 + i] = shape[i];
            r[1 + MAX_RANK + i] = s0[i];
            r[1 + 2 * MAX_RANK + i] = s1[i];
        }
        return r;
    }

    /** The ints of {@code struct Pool} (nc, d, h, w, kd, kh, kw, sd, sh, sw, od, oh, ow). */
    static int[] pool(long nc, int d, int h, int w, int kd, int kh, int kw, int sd, int sh, int sw, int od, int oh, int ow) {
        if (nc > Integer.MAX_VALUE) throw new IllegalArgumentException("cuda: n·c = " + nc + " exceeds 2^31");
        return new int[] {(int) nc, d, h, w, kd, kh, kw, sd, sh, sw, od, oh, ow};
    }

    /**
     * The launch grid of a grid-stride kernel over n elements: blocks of {@code block} threads, at most
     * {@code maxBlocks} blocks (the loop covers the rest), at least one.
     */
    static int blocks(long n, int block, int maxBlocks) {
        long b = (n + block - 1) / block;
        return (int) Math.max(1, Math.min(b, maxBlocks));
    }
}
