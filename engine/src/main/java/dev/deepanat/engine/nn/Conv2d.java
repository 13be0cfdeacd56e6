package dev.deepanat.engine.nn;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.init.Initializer;
import dev.deepanat.engine.ops.Convolution;
import dev.deepanat.engine.ops.Padding;

import java.util.random.RandomGenerator;

/** 2D convolution layer: weight [out, in, k, k], optional bias. */
public final class Conv2d extends Module {
    private final int[] stride;
    private final Padding padding;

    public Conv2d(int in, int out, int k, int stride, Padding padding, boolean bias, Initializer init, RandomGenerator rng) {
        this.stride = new int[] {stride, stride};
        this.padding = padding;
        int[] shape = {out, in, k, k};
        registerParameter("weight", Tensor.of(init.values(shape, in * k * k, out * k * k, rng), shape));
        if (bias) registerParameter("bias", Tensor.zeros(out));
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolution.conv2d(x, param("weight"), param("bias"), stride, padding);
    }
}
