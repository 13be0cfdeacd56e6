package dev.deepanat.engine.profile;

import dev.deepanat.engine.backend.AdamStep;
import dev.deepanat.engine.backend.BatchNormGeometry;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.PoolGeometry;
import dev.deepanat.engine.backend.UpsampleGeometry;
import dev.deepanat.engine.backend.View;

/**
 * FLOP and bytes moved of every SPI kernel, in one place: what {@code deepanat profile} divides the measured times by.
 * Bytes are the compulsory traffic of 4-byte floats: every operand read once and every output written once (no cache
 * reuse beyond that, no write-allocate reads), so the arithmetic intensity FLOP/byte is the kernel's best case.
 * A multiply-add counts 2 FLOP; a comparison, a max, an add or a sqrt 1.
 */
public final class KernelCost {
    /** shape: a short description of the operands ("48→48 k3 @ 64³", "n=262144"). */
    public record Cost(String shape, double flop, double bytes) {
        public static final Cost NONE = new Cost("", 0, 0);

        /** FLOP per byte (0 when nothing moves). */
        public double intensity() {
            return bytes == 0 ? 0 : flop / bytes;
        }
    }

    private static final double F = 4;

    private KernelCost() {}

    /** y = conv(x, w) + b: 2·N·Cout·Cin·k³·outVoxels (+ one add per output with a bias); x, w, (b) read, y written. */
    public static Cost conv3d(ConvGeometry g, boolean bias) {
        return new Cost(conv(g), 2.0 * g.macs() + (bias ? g.outputSize() : 0),
                F * (g.inputSize() + g.weightSize() + g.outputSize() + (bias ? g.cOut() : 0)));
    }

    /** y = max(0, conv(x, w) + b): the conv's cost plus one max per output; the same traffic (y written once). */
    public static Cost conv3dRelu(ConvGeometry g, boolean bias) {
        Cost c = conv3d(g, bias);
        return new Cost(c.shape(), c.flop() + g.outputSize(), c.bytes());
    }

    /**
     * conv(concat(skip, upsample(low))) (+ ReLU): the conv's FLOP; skip, low (an eighth of its channels' voxels), w,
     * (b) read, y written: the traffic of the kernel that reads both in place.
     */
    public static Cost conv3dSkipUp(ConvGeometry g, int cSkip, boolean bias, boolean relu) {
        Cost c = relu ? conv3dRelu(g, bias) : conv3d(g, bias);
        long vox = (long) g.d() * g.h() * g.w();
        double in = (double) g.n() * vox * (cSkip + (g.cIn() - cSkip) / 8.0);
        return new Cost(c.shape(), c.flop(), c.bytes() - F * (g.inputSize() - in));
    }

    /** dx = conv_transpose(dy, w): the forward's MACs; dy and w read, dx written. */
    public static Cost conv3dBackwardData(ConvGeometry g) {
        return new Cost(conv(g), 2.0 * g.macs(), F * (g.outputSize() + g.weightSize() + g.inputSize()));
    }

    /** dw = x ⋆ dy: the forward's MACs (+ one add per dy element for dbias); x and dy read, dw (and dbias) written. */
    public static Cost conv3dBackwardWeight(ConvGeometry g, boolean dbias) {
        return new Cost(conv(g), 2.0 * g.macs() + (dbias ? g.outputSize() : 0),
                F * (g.inputSize() + g.outputSize() + g.weightSize() + (dbias ? g.cOut() : 0)));
    }

    /** One comparison per window element; x read, y written. */
    public static Cost maxPool3d(PoolGeometry g) {
        long in = (long) g.n() * g.c() * g.d() * g.h() * g.w();
        return new Cost(g.c() + "ch " + edge(g.d(), g.h(), g.w()), (double) g.outputSize() * g.kd() * g.kh() * g.kw(),
                F * (in + g.outputSize()));
    }

    /** The forward's comparisons again; x and dy read, dx written. */
    public static Cost maxPool3dBackward(PoolGeometry g) {
        long in = (long) g.n() * g.c() * g.d() * g.h() * g.w();
        return new Cost(g.c() + "ch " + edge(g.d(), g.h(), g.w()), (double) g.outputSize() * g.kd() * g.kh() * g.kw(),
                F * (2 * in + g.outputSize()));
    }

    /** No arithmetic; x read, the f-times larger y written. */
    public static Cost upsample(UpsampleGeometry g) {
        long out = g.inputSize() * g.fd() * g.fh() * g.fw();
        return new Cost(g.c() + "ch " + edge(g.d(), g.h(), g.w()), 0, F * (g.inputSize() + out));
    }

    /** One add per dy element; dy read, dx written. */
    public static Cost upsampleBackward(UpsampleGeometry g) {
        long out = g.inputSize() * g.fd() * g.fh() * g.fw();
        return new Cost(g.c() + "ch " + edge(g.d(), g.h(), g.w()), out, F * (g.inputSize() + out));
    }

    /** One op per element; x read, out written. */
    public static Cost unary(long n) {
        return new Cost("n=" + n, n, F * 2 * n);
    }

    /** One op per output element; each operand's distinct elements (broadcast dimensions once) read, out written. */
    public static Cost binary(View x, View y) {
        long n = x.numel();
        return new Cost("n=" + n, n, F * (distinct(x) + distinct(y) + n));
    }

    /** One add per input element; x read, out written. */
    public static Cost reduceSum(int[] shape, int[] outShape) {
        long n = numel(shape), m = numel(outShape);
        return new Cost("n=" + n + "→" + m, n, F * (n + m));
    }

    /** y += a·x: 2 FLOP per element; x and y read, y written. */
    public static Cost axpy(long n) {
        return new Cost("n=" + n, 2.0 * n, F * 3 * n);
    }

    public static Cost scale(long n) {
        return new Cost("n=" + n, n, F * 2 * n);
    }

    /** C = op(A)·op(B) + beta·C: 2mnk (+ 2mn with beta ≠ 0); A, B (and C) read, C written. */
    public static Cost gemm(int m, int n, int k, float beta) {
        boolean readC = beta != 0;
        return new Cost(m + "×" + n + "×" + k, 2.0 * m * n * k + (readC ? 2.0 * m * n : 0),
                F * ((long) m * k + (long) k * n + (long) m * n * (readC ? 2 : 1)));
    }

    public static Cost fill(long n) {
        return new Cost("n=" + n, 0, F * n);
    }

    public static Cost copy(View src) {
        long n = src.numel();
        return new Cost("n=" + n, 0, F * 2 * n);
    }

    /** A host transfer of n floats. */
    public static Cost transfer(long n) {
        return new Cost("n=" + n, 0, F * n);
    }

    /** Adam: ≈ 12 FLOP per parameter (two moment updates, bias corrections, sqrt, divide); p, g, m, v read, p, m, v written. */
    public static Cost adam(AdamStep s, long n) {
        return new Cost("n=" + n, 12.0 * n, F * 7 * n);
    }

    /** Statistics (2 per element), then normalize (2 per element); x read twice, y written. */
    public static Cost batchNormForwardTraining(BatchNormGeometry g) {
        return new Cost(g.c() + "ch n=" + g.numel(), 4.0 * g.numel(), F * 3 * g.numel());
    }

    public static Cost batchNormForwardInference(BatchNormGeometry g) {
        return new Cost(g.c() + "ch n=" + g.numel(), 2.0 * g.numel(), F * 2 * g.numel());
    }

    /** Two reductions (2 per element) and dx (≈ 4 per element); x and dy read twice, dx written. */
    public static Cost batchNormBackward(BatchNormGeometry g) {
        return new Cost(g.c() + "ch n=" + g.numel(), 6.0 * g.numel(), F * 5 * g.numel());
    }

    static String conv(ConvGeometry g) {
        String k = g.kd() == g.kh() && g.kh() == g.kw() ? "k" + g.kw() : "k" + g.kd() + "×" + g.kh() + "×" + g.kw();
        String s = g.sd() == 1 && g.sh() == 1 && g.sw() == 1 ? "" : " s" + g.sd() + "×" + g.sh() + "×" + g.sw();
        return (g.n() == 1 ? "" : "N" + g.n() + " ") + g.cIn() + "→" + g.cOut() + " " + k + s + " @ " + edge(g.od(), g.oh(), g.ow());
    }

    static String edge(int d, int h, int w) {
        if (d == h && h == w) return d + "³";
        if (d == 1 && h == w) return h + "²";
        return d + "×" + h + "×" + w;
    }

    private static long distinct(View v) {
        long n = 1;
        for (int i = 0; i < v.shape().length; i++) if (v.strides()[i] != 0) n *= v.shape()[i];
        return n;
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return n;
    }
}
