package dev.deepanat.engine.nn;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.init.Initializer;
import dev.deepanat.engine.ops.LinearAlgebra;

import java.util.random.RandomGenerator;

/** Fully connected layer y = x·Wᵀ + b with W [out, in] as in PyTorch. */
public final class Linear extends Module {
    public Linear(int in, int out, boolean bias, Initializer init, RandomGenerator rng) {
        int[] shape = {out, in};
        registerParameter("weight", Tensor.of(init.values(shape, in, out, rng), shape));
        if (bias) registerParameter("bias", Tensor.zeros(out));
    }

    @Override
    public Tensor forward(Tensor x) {
        return LinearAlgebra.linear(x, param("weight"), param("bias"));
    }
}
