package dev.deepanat.engine.nn;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.init.Initializer;
import dev.deepanat.engine.ops.LinearAlgebra;

import java.util.random.RandomGenerator;

/**
 * Fully connected layer y = x·Wᵀ + b with W [out, in] as in PyTorch; with {@link #spectralNorm} the weight is
 * spectrally normalized ({@code weight_orig}, {@code weight_u}, {@code weight_v}).
 */
public final class Linear extends Module {
    private SpectralNorm sn;

    public Linear(int in, int out, boolean bias, Initializer init, RandomGenerator rng) {
        int[] shape = {out, in};
        registerParameter("weight", Tensor.of(init.values(shape, in, out, rng), shape));
        if (bias) registerParameter("bias", Tensor.zeros(out));
    }

    /** Applies spectral normalization to the weight (u and v drawn from rng), as PyTorch's {@code spectral_norm}. */
    public Linear spectralNorm(RandomGenerator rng) {
        if (sn != null) throw new IllegalStateException("Linear: spectral normalization applied twice");
        sn = SpectralNorm.apply(this, "weight", rng);
        return this;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (sn == null) return LinearAlgebra.linear(x, param("weight"), param("bias"));
        Tensor w = sn.weight(), y = LinearAlgebra.linear(x, w, param("bias"));
        w.close();
        return y;
    }
}
