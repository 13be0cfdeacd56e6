package dev.deepanat.engine;

import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.loss.Losses;
import dev.deepanat.engine.ops.Convolution;
import dev.deepanat.engine.ops.Elementwise;
import dev.deepanat.engine.ops.LinearAlgebra;
import dev.deepanat.engine.ops.Normalization;
import dev.deepanat.engine.ops.Padding;
import dev.deepanat.engine.ops.Pointwise;
import dev.deepanat.engine.ops.Pooling;
import dev.deepanat.engine.ops.Reductions;
import dev.deepanat.engine.ops.Views;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.deepanat.testing.GradCheck.check;
import static dev.deepanat.testing.GradCheck.distinct;
import static dev.deepanat.testing.GradCheck.input;

/** Every differentiable op and loss against central finite differences (reference backend, float32). */
class GradCheckTest {
    final SplittableRandom rng = new SplittableRandom(42);

    private Tensor positive(int... shape) {
        return input(rng, shape).abs().add(0.5f).detach();
    }

    @Test void arithmeticWithBroadcasting() {
        check("add", t -> Elementwise.add(t[0], t[1]), input(rng, 2, 3, 4), input(rng, 3, 1));
        check("sub", t -> Elementwise.sub(t[0], t[1]), input(rng, 2, 1, 4), input(rng, 2, 3, 4));
        check("mul", t -> Elementwise.mul(t[0], t[1]), input(rng, 2, 3, 4), input(rng, 4));
        check("div", t -> Elementwise.div(t[0], t[1]), input(rng, 2, 3), positive(2, 1));
    }

    @Test void scalarOps() {
        check("addScalar", t -> t[0].add(2.5f), input(rng, 3, 4));
        check("mulScalar", t -> t[0].mul(-1.5f), input(rng, 3, 4));
        check("neg", t -> t[0].neg(), input(rng, 5));
    }

    @Test void pointwiseFunctions() {
        check("exp", t -> t[0].exp(), input(rng, 3, 4));
        check("log", t -> t[0].log(), positive(3, 4));
        check("abs", t -> t[0].abs(), distinct(rng, 0.1f, 3, 4));
        check("sqrt", t -> t[0].sqrt(), positive(3, 4));
        check("pow", t -> t[0].pow(2.5f), positive(3, 4));
        check("relu", t -> t[0].relu(), distinct(rng, 0.1f, 3, 4));
        check("leakyRelu", t -> Pointwise.leakyRelu(t[0], 0.2f), distinct(rng, 0.1f, 3, 4));
        check("sigmoid", t -> t[0].sigmoid(), input(rng, 3, 4));
        check("softplus", t -> Pointwise.softplus(t[0]), input(rng, 3, 4));
        check("clamp", t -> Pointwise.clamp(t[0], -0.35f, 0.45f), distinct(rng, 0.1f, 3, 4));
    }

    @Test void reductions() {
        check("sum", t -> t[0].sum(), input(rng, 2, 3, 4));
        check("sum axes", t -> t[0].sum(false, 0, 2), input(rng, 2, 3, 4));
        check("sum keepDims", t -> t[0].sum(true, -1), input(rng, 2, 3, 4));
        check("mean", t -> t[0].mean(), input(rng, 2, 3, 4));
        check("mean axes", t -> t[0].mean(true, 1), input(rng, 2, 3, 4));
        check("expand", t -> Reductions.expand(t[0], new int[] {2, 3, 4}), input(rng, 3, 1));
    }

    @Test void shapeOps() {
        check("reshape", t -> t[0].reshape(4, -1).mul(t[0].reshape(4, 6)), input(rng, 2, 3, 4));
        check("permute", t -> t[0].permute(2, 0, 1).contiguous(), input(rng, 2, 3, 4));
        check("transpose", t -> t[0].transpose(0, 1).exp(), input(rng, 3, 4));
        check("narrow", t -> t[0].narrow(1, 1, 2).exp(), input(rng, 2, 4, 3));
        check("concat", t -> Views.concat(1, t[0], t[1].exp(), t[0]), input(rng, 2, 3, 2), input(rng, 2, 1, 2));
        check("flatten", t -> t[0].flatten().exp(), input(rng, 2, 3, 2));
        check("indexSelect", t -> Views.indexSelect(t[0], new int[] {3, 0, 2}).exp(), input(rng, 5, 2, 3));
    }

    @Test void matmulAndLinear() {
        check("matmul", t -> t[0].matmul(t[1]), input(rng, 3, 4), input(rng, 4, 5));
        check("matmul of transposes", t -> t[0].transpose(0, 1).matmul(t[1].transpose(0, 1)), input(rng, 4, 3), input(rng, 5, 4));
        check("linear", t -> LinearAlgebra.linear(t[0], t[1], t[2]), input(rng, 3, 4), input(rng, 2, 4), input(rng, 2));
    }

    @Test void conv3d() {
        check("conv3d same", t -> Convolution.conv3d(t[0], t[1], t[2], new int[] {1, 1, 1}, Padding.same()),
                input(rng, 1, 2, 4, 3, 5), input(rng, 3, 2, 3, 3, 3), input(rng, 3));
        check("conv3d stride 2 valid", t -> Convolution.conv3d(t[0], t[1], null, new int[] {2, 2, 1}, Padding.valid()),
                input(rng, 2, 2, 5, 5, 4), input(rng, 2, 2, 3, 3, 2));
        check("conv3d stride 2 same", t -> Convolution.conv3d(t[0], t[1], t[2], new int[] {2, 2, 2}, Padding.same()),
                input(rng, 1, 1, 4, 5, 4), input(rng, 2, 1, 3, 3, 3), input(rng, 2));
    }

    @Test void conv2d() {
        check("conv2d", t -> Convolution.conv2d(t[0], t[1], t[2], new int[] {1, 1}, Padding.of(1)),
                input(rng, 2, 2, 5, 4), input(rng, 3, 2, 3, 3), input(rng, 3));
        check("conv2d stride 2", t -> Convolution.conv2d(t[0], t[1], t[2], new int[] {2, 2}, Padding.same()),
                input(rng, 1, 2, 6, 6), input(rng, 2, 2, 3, 3), input(rng, 2));
    }

    @Test void poolingAndUpsampling() {
        check("maxPool3d", t -> Pooling.maxPool3d(t[0], 2), distinct(rng, 0.05f, 1, 2, 4, 4, 2));
        check("maxPool2d", t -> Pooling.maxPool2d(t[0], 2, 2), distinct(rng, 0.05f, 2, 1, 5, 4));
        check("upsample3d", t -> Pooling.upsampleNearest3d(t[0], 2), input(rng, 1, 2, 2, 3, 2));
        check("upsample2d", t -> Pooling.upsampleNearest2d(t[0], 2), input(rng, 1, 2, 3, 2));
    }

    @Test void batchNorm() {
        check("batchNorm train", t -> Normalization.batchNorm(t[0], t[1], t[2], null, null, true, 0.1f, 1e-5f),
                input(rng, 3, 2, 4, 3), positive(2), input(rng, 2));
        Tensor rm = input(rng, 2), rv = positive(2);
        check("batchNorm eval", t -> Normalization.batchNorm(t[0], t[1], t[2], rm, rv, false, 0.1f, 1e-5f),
                input(rng, 2, 2, 3, 2, 2), positive(2), input(rng, 2));
    }

    @Test void losses() {
        Tensor mask = Tensor.of(Backends.reference(), new float[] {1, 0, 1, 1, 0, 1, 1, 1}, 1, 1, 2, 2, 2);
        Tensor target = input(rng, 1, 1, 2, 2, 2);
        // pred − target kept away from 0 so |·| has no kink within the finite-difference step.
        Tensor pred = target.add(distinct(rng, 0.1f, 1, 1, 2, 2, 2)).detach();
        check("maskedL1", t -> Losses.maskedL1(t[0], target, mask), pred);
        check("maskedL2", t -> Losses.maskedL2(t[0], target, mask), pred);
        Tensor labels = Tensor.of(Backends.reference(), new float[] {0, 1, 1, 0, 0.3f, 1}, 2, 3);
        Tensor probs = Tensor.of(Backends.reference(), new float[] {0.2f, 0.7f, 0.9f, 0.4f, 0.5f, 0.1f}, 2, 3);
        check("bce", 1e-3f, 1e-2, t -> Losses.bce(t[0], labels), probs);
        check("bceWithLogits", t -> Losses.bceWithLogits(t[0], labels), input(rng, 2, 3).mul(3f).detach());
    }
}
