package dev.deepanat.engine;

import dev.deepanat.engine.backend.AdamStep;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.loss.Losses;
import dev.deepanat.engine.ops.Convolution;
import dev.deepanat.engine.ops.LinearAlgebra;
import dev.deepanat.engine.ops.Normalization;
import dev.deepanat.engine.ops.Padding;
import dev.deepanat.engine.ops.Pooling;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.testing.Golden;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static dev.deepanat.testing.Assertions2.assertClose;

/**
 * Values and gradients against PyTorch 1.13 (oneDNN) on every backend, through golden files made by
 * src-test/src/test/resources/golden/torch/make_golden.py. Tolerance: 1e-4 relative to the largest reference value.
 */
class TorchParityTest {
    static final double TOL = 1e-4;

    static List<String> backends() {
        return Backends.all().stream().map(Backend::name).toList();
    }

    private static Map<String, Tensor> load(String name, String backend) {
        Map<String, Tensor> t = Golden.torch(name, Backends.get(backend));
        for (String k : List.of("x", "w", "b", "p", "z", "pred", "gamma", "beta"))
            if (t.containsKey(k)) t.get(k).requiresGrad(true);
        return t;
    }

    @ParameterizedTest @MethodSource("backends")
    void conv3dStride1(String backend) {
        var t = load("conv3d_s1", backend);
        Tensor y = Convolution.conv3d(t.get("x"), t.get("w"), t.get("b"), new int[] {1, 1, 1}, Padding.of(1));
        checkConv(t, y);
    }

    @ParameterizedTest @MethodSource("backends")
    void conv2dStride1(String backend) {
        var t = load("conv2d_s1", backend);
        checkConv(t, Convolution.conv2d(t.get("x"), t.get("w"), t.get("b"), new int[] {1, 1}, Padding.of(1)));
    }

    @ParameterizedTest @MethodSource("backends")
    void conv2dStride2(String backend) {
        var t = load("conv2d_s2", backend);
        checkConv(t, Convolution.conv2d(t.get("x"), t.get("w"), t.get("b"), new int[] {2, 2}, Padding.of(1)));
    }

    @ParameterizedTest @MethodSource("backends")
    void conv2dStride2KerasSame(String backend) {
        var t = load("conv2d_s2_same", backend);
        checkConv(t, Convolution.conv2d(t.get("x"), t.get("w"), t.get("b"), new int[] {2, 2}, Padding.same()));
    }

    private static void checkConv(Map<String, Tensor> t, Tensor y) {
        assertClose(t.get("y"), y, TOL, "y");
        y.backward(t.get("gy"));
        assertClose(t.get("dx"), t.get("x").grad(), TOL, "dx");
        assertClose(t.get("dw"), t.get("w").grad(), TOL, "dw");
        assertClose(t.get("db"), t.get("b").grad(), TOL, "db");
    }

    @ParameterizedTest @MethodSource("backends")
    void batchNorm2dTrainAndEval(String backend) {
        checkBatchNorm("batchnorm2d", backend);
    }

    @ParameterizedTest @MethodSource("backends")
    void batchNorm3dTrainAndEval(String backend) {
        checkBatchNorm("batchnorm3d", backend);
    }

    private static void checkBatchNorm(String name, String backend) {
        var t = load(name, backend);
        Tensor rm = t.get("rm0"), rv = t.get("rv0");
        Tensor y = Normalization.batchNorm(t.get("x"), t.get("gamma"), t.get("beta"), rm, rv, true, 0.1f, 1e-5f);
        assertClose(t.get("y"), y, TOL, "train y");
        assertClose(t.get("rm1"), rm, TOL, "running mean");
        assertClose(t.get("rv1"), rv, TOL, "running var");
        y.backward(t.get("gy"));
        assertClose(t.get("dx"), t.get("x").grad(), TOL, "dx");
        assertClose(t.get("dgamma"), t.get("gamma").grad(), TOL, "dgamma");
        assertClose(t.get("dbeta"), t.get("beta").grad(), TOL, "dbeta");
        Tensor yEval = Normalization.batchNorm(t.get("x").detach(), t.get("gamma"), t.get("beta"), rm, rv, false, 0.1f, 1e-5f);
        assertClose(t.get("y_eval"), yEval, TOL, "eval y");
    }

    @ParameterizedTest @MethodSource("backends")
    void maxPool3d(String backend) {
        var t = load("maxpool3d", backend);
        Tensor y = Pooling.maxPool3d(t.get("x"), 2);
        assertClose(t.get("y"), y, TOL, "y");
        y.backward(t.get("gy"));
        assertClose(t.get("dx"), t.get("x").grad(), TOL, "dx");
    }

    @ParameterizedTest @MethodSource("backends")
    void maxPool2d(String backend) {
        var t = load("maxpool2d", backend);
        Tensor y = Pooling.maxPool2d(t.get("x"), 2, 2);
        assertClose(t.get("y"), y, TOL, "y");
        y.backward(t.get("gy"));
        assertClose(t.get("dx"), t.get("x").grad(), TOL, "dx");
    }

    @ParameterizedTest @MethodSource("backends")
    void upsampleNearest3d(String backend) {
        var t = load("upsample3d", backend);
        Tensor y = Pooling.upsampleNearest3d(t.get("x"), 2);
        assertClose(t.get("y"), y, TOL, "y");
        y.backward(t.get("gy"));
        assertClose(t.get("dx"), t.get("x").grad(), TOL, "dx");
    }

    @ParameterizedTest @MethodSource("backends")
    void bceOnProbabilities(String backend) {
        var t = load("bce", backend);
        Tensor loss = Losses.bce(t.get("p"), t.get("t"));
        assertClose(t.get("loss").toArray(), new float[] {loss.item()}, TOL, "loss");
        loss.backward();
        assertClose(t.get("dp"), t.get("p").grad(), TOL, "dp");
    }

    @ParameterizedTest @MethodSource("backends")
    void bceOnLogits(String backend) {
        var t = load("bce_logits", backend);
        Tensor loss = Losses.bceWithLogits(t.get("z"), t.get("t"));
        assertClose(t.get("loss").toArray(), new float[] {loss.item()}, TOL, "loss");
        loss.backward();
        assertClose(t.get("dz"), t.get("z").grad(), TOL, "dz");
    }

    @ParameterizedTest @MethodSource("backends")
    void maskedL1AndL2(String backend) {
        var t = load("masked_loss", backend);
        Tensor l1 = Losses.maskedL1(t.get("pred"), t.get("target"), t.get("mask"));
        assertClose(t.get("l1").toArray(), new float[] {l1.item()}, TOL, "masked L1");
        l1.backward();
        assertClose(t.get("dpred_l1"), t.get("pred").grad(), TOL, "d masked L1");
        t.get("pred").zeroGrad();
        Tensor l2 = Losses.maskedL2(t.get("pred"), t.get("target"), t.get("mask"));
        assertClose(t.get("l2").toArray(), new float[] {l2.item()}, TOL, "masked L2");
        l2.backward();
        assertClose(t.get("dpred_l2"), t.get("pred").grad(), TOL, "d masked L2");
    }

    @ParameterizedTest @MethodSource("backends")
    void adamTwoSteps(String backend) {
        var t = load("adam", backend);
        Tensor p = t.get("p0").detach().requiresGrad(true);
        Adam adam = new Adam(List.of(p), 1e-3f);
        p.accumulateGrad(t.get("g1"));
        adam.step();
        assertClose(t.get("p1"), p, TOL, "after step 1");
        p.zeroGrad();
        p.accumulateGrad(t.get("g2"));
        adam.step();
        assertClose(t.get("p2"), p, TOL, "after step 2");
    }

    @ParameterizedTest @MethodSource("backends")
    void linear(String backend) {
        var t = load("linear", backend);
        Tensor y = LinearAlgebra.linear(t.get("x"), t.get("w"), t.get("b"));
        assertClose(t.get("y"), y, TOL, "y");
        y.backward(t.get("gy"));
        assertClose(t.get("dx"), t.get("x").grad(), TOL, "dx");
        assertClose(t.get("dw"), t.get("w").grad(), TOL, "dw");
        assertClose(t.get("db"), t.get("b").grad(), TOL, "db");
    }

    /** The whole U-Net: PyTorch's state dict loaded by name, forward output and every parameter gradient. */
    @ParameterizedTest @MethodSource("backends")
    void unet3dForwardAndBackward(String backend) {
        Backend be = Backends.get(backend);
        var t = Golden.torch("unet3d", be);
        var net = new dev.deepanat.model.UNet3d(new dev.deepanat.model.UNetConfig(3, 1, 4, 3, false), new java.util.SplittableRandom(5));
        net.to(be);
        var state = new java.util.LinkedHashMap<String, Tensor>();
        t.forEach((k, v) -> { if (k.startsWith("param.")) state.put(k.substring(6), v); });
        net.loadStateDict(state);
        Tensor y = net.forward(t.get("x"));
        assertClose(t.get("y"), y, TOL, "U-Net output");
        y.backward(t.get("gy"));
        net.namedParameters().forEach((k, p) -> assertClose(t.get("grad." + k), p.grad(), TOL, "gradient of " + k));
    }
}
