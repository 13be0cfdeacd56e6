package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import dev.deepanat.engine.backend.AdamStep;
import dev.deepanat.engine.backend.BatchNormGeometry;
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
 * overridden here, and the convolution cases without a fast path (negative padding; backward-data with a depth stride
 * or padding ≥ the kernel), run the reference backend's loops.
 * Storages are the reference backend's heap arrays, cached for reuse by its allocator. Kernel timing is not here: any
 * backend can be wrapped in {@code ProfiledBackend}.
 */
public class CpuBackend extends ReferenceBackend {
    /** Winograd F(2³, 3³) for the 3×3×3 stride-1 convolutions it pays on ({@link Winograd#use}). */
    private volatile boolean winograd = Winograd.enabled(System.getProperty("deepanat.cpu.winograd"),
            System.getenv("DEEPANAT_CPU_WINOGRAD"), true);

    public CpuBackend() {
        Warmup.start();
    }

    /** Whether 3×3×3 stride-1 convolutions may run as Winograd F(2³, 3³) (-Ddeepanat.cpu.winograd, DEEPANAT_CPU_WINOGRAD). */
    public boolean winograd() {
        return winograd;
    }

    @Override
    public String settings() {
        return "Winograd F(2³,3³) " + (winograd ? "on" : "off");
    }

    /** Turns the Winograd path on or off for the calls that follow (the direct kernels are the definition). */
    public void winograd(boolean on) {
        winograd = on;
    }

    @Override public String name() { return "cpu"; }

    @Override
    protected long scratchBytes() {
        return Scratch.bytes();
    }
    @Override public int priority() { return 10; }

    @Override
    public void copy(View src, View dst) {
        Reductions.copy(arr(src.storage()), src.offset(), src.strides(), arr(dst.storage()), dst.offset(), dst.strides(),
                src.shape());
    }

    @Override
    public void unary(UnaryOp op, float a, float b, Storage x, Storage out, long n) {
        Elementwise.unary(op, a, b, arr(x), arr(out), (int) n);
    }

    @Override
    public void binary(BinaryOp op, View x, View y, Storage out) {
        Elementwise.binary(op, arr(x.storage()), x.offset(), x.strides(), arr(y.storage()), y.offset(), y.strides(),
                x.shape(), arr(out));
    }

    @Override
    public void reduceSum(Storage x, int[] shape, int[] outShape, Storage out) {
        Reductions.reduceSum(arr(x), shape, outShape, arr(out));
    }

    @Override
    public void axpy(float alpha, Storage x, Storage y, long n) {
        Elementwise.axpy(alpha, arr(x), arr(y), (int) n);
    }

    @Override
    public void scale(float alpha, Storage x, long n) {
        Elementwise.scale(alpha, arr(x), (int) n);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     Storage a, long aOffset, Storage b, long bOffset, float beta, Storage c, long cOffset) {
        Gemm.run(transA, transB, m, n, k, arr(a), (int) aOffset, arr(b), (int) bOffset, beta, arr(c), (int) cOffset);
    }

    @Override
    public void conv3d(ConvGeometry g, Storage x, Storage w, Storage bias, Storage y) {
        conv3d(g, x, w, bias, y, false);
    }

    /** The ReLU is applied where the kernels store y, in the pass that adds the last input-channel block. */
    @Override
    public void conv3dRelu(ConvGeometry g, Storage x, Storage w, Storage bias, Storage y) {
        conv3d(g, x, w, bias, y, true);
    }

    private void conv3d(ConvGeometry g, Storage x, Storage w, Storage bias, Storage y, boolean relu) {
        if (!ConvForward.supports(g)) {
            if (relu) super.conv3dRelu(g, x, w, bias, y);
            else super.conv3d(g, x, w, bias, y);
            return;
        }
        int taps = g.kd() * g.kh() * g.kw(), k = g.cIn() * taps;
        if (winograd && Winograd.use(g)) {
            Winograd.run(g, arr(x), winogradPack(g, w), bias == null ? null : arr(bias), arr(y), relu);
            return;
        }
        if (ConvSmall.use(g, g.cOut()) || ConvSmall.useForward3d(g)) {
            float[] pack = Scratch.floats(Scratch.PACK, ConvSmall.panels(g.cOut()) * ConvSmall.NP * k);
            ConvSmall.packT(arr(w), g.cOut(), g.cIn(), taps, ConvSmall.identity(taps), false, pack);
            ConvSmall.forward(g, arr(x), pack, bias == null ? null : arr(bias), arr(y), relu);
            return;
        }
        float[] pack = Scratch.floats(Scratch.PACK, ConvForward.packedSize(g.cOut(), k));
        ConvForward.packWeights(arr(w), g.cOut(), k, pack);
        ConvForward.run(g, arr(x), pack, bias == null ? null : arr(bias), arr(y), relu);
    }

    /** With Winograd on and a shape it takes ('same', even sizes), both inputs are read in place. */
    @Override
    public boolean conv3dSkipUpInPlace(ConvGeometry g) {
        return winograd && Winograd.use(g) && g.d() % 2 == 0 && g.h() % 2 == 0 && g.w() % 2 == 0
                && g.pd() == 1 && g.ph() == 1 && g.pw() == 1 && g.od() == g.d() && g.oh() == g.h() && g.ow() == g.w();
    }

    /** In place where {@link #conv3dSkipUpInPlace}; otherwise the SPI's definition. */
    @Override
    public void conv3dSkipUp(ConvGeometry g, int cSkip, Storage skip, Storage low, Storage w, Storage bias, Storage y, boolean relu) {
        if (!conv3dSkipUpInPlace(g)) {
            super.conv3dSkipUp(g, cSkip, skip, low, w, bias, y, relu);
            return;
        }
        Winograd.run(g, arr(skip), arr(low), cSkip, winogradPack(g, w), bias == null ? null : arr(bias), arr(y), relu);
    }

    /** The forward weights w [cOut][cIn][27] transformed for {@link Winograd#run}, in this thread's pack scratch. */
    private static float[] winogradPack(ConvGeometry g, Storage w) {
        float[] pack = Scratch.floats(Scratch.PACK, Winograd.packedSize(g.cOut(), g.cIn()));
        Winograd.packWeights(arr(w), g.cOut(), g.cIn(), g.cIn() * 27, 27, false, pack);
        return pack;
    }

    @Override
    public void conv3dBackwardData(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        if (!ConvBackwardData.supports(g)) {
            super.conv3dBackwardData(g, dy, w, dx);
            return;
        }
        ConvBackwardData.run(g, arr(dy), arr(w), arr(dx), winograd);
    }

    @Override
    public void conv3dBackwardWeight(ConvGeometry g, Storage x, Storage dy, Storage dw, Storage dbias) {
        if (!ConvForward.supports(g)) {
            super.conv3dBackwardWeight(g, x, dy, dw, dbias);
            return;
        }
        if (winograd && WinogradWeight.use(g)) WinogradWeight.run(g, arr(x), arr(dy), arr(dw), dbias == null ? null : arr(dbias));
        else if (ConvSmall.useForWeight(g)) ConvSmall.backwardWeight(g, arr(x), arr(dy), arr(dw), dbias == null ? null : arr(dbias));
        else if (ConvBackwardWeight.use(g)) ConvBackwardWeight.run(g, arr(x), arr(dy), arr(dw), dbias == null ? null : arr(dbias));
        else ConvBackwardWeightVoxels.run(g, arr(x), arr(dy), arr(dw), dbias == null ? null : arr(dbias));
    }

    @Override
    public void maxPool3d(PoolGeometry g, Storage x, Storage y) {
        Pooling.maxPool(g, arr(x), arr(y));
    }

    @Override
    public void maxPool3dBackward(PoolGeometry g, Storage x, Storage dy, Storage dx) {
        Pooling.maxPoolBackward(g, arr(x), arr(dy), arr(dx));
    }

    @Override
    public void upsampleNearest3d(UpsampleGeometry g, Storage x, Storage y) {
        Pooling.upsample(g, arr(x), arr(y));
    }

    @Override
    public void upsampleNearest3dBackward(UpsampleGeometry g, Storage dy, Storage dx) {
        Pooling.upsampleBackward(g, arr(dy), arr(dx));
    }

    @Override
    public void batchNormForwardTraining(BatchNormGeometry g, float momentum, float eps, Storage x, Storage gamma, Storage beta,
                                         Storage runningMean, Storage runningVar, Storage y, Storage saveMean, Storage saveInvStd) {
        BatchNorm.forwardTraining(g, momentum, eps, arr(x), opt(gamma), opt(beta), opt(runningMean), opt(runningVar), arr(y),
                arr(saveMean), arr(saveInvStd));
    }

    @Override
    public void batchNormForwardInference(BatchNormGeometry g, float eps, Storage x, Storage gamma, Storage beta,
                                          Storage runningMean, Storage runningVar, Storage y) {
        BatchNorm.forwardInference(g, eps, arr(x), opt(gamma), opt(beta), arr(runningMean), arr(runningVar), arr(y));
    }

    @Override
    public void batchNormBackward(BatchNormGeometry g, Storage x, Storage dy, Storage gamma, Storage saveMean, Storage saveInvStd,
                                  Storage dx, Storage dgamma, Storage dbeta) {
        BatchNorm.backward(g, arr(x), arr(dy), opt(gamma), arr(saveMean), arr(saveInvStd), opt(dx), opt(dgamma), opt(dbeta));
    }

    /** The array of an optional storage, or null. */
    private static float[] opt(Storage s) {
        return s == null ? null : arr(s);
    }

    @Override
    public void adam(AdamStep s, Storage param, Storage grad, Storage m, Storage v, long n) {
        AdamKernel.run(s, arr(param), arr(grad), arr(m), arr(v), (int) n);
    }
}
