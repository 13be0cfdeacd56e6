package dev.deepanat.engine.nn;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.init.Initializer;
import dev.deepanat.engine.ops.Convolution;
import dev.deepanat.engine.ops.Padding;

import java.util.random.RandomGenerator;

/**
 * 2D convolution layer: weight [out, in, k, k], optional bias; with {@link #spectralNorm} the weight is spectrally
 * normalized ({@code weight_orig}, {@code weight_u}, {@code weight_v}).
 */
public final class Conv2d extends Module {
    private final int[] stride;
    private final Padding padding;
    private SpectralNorm sn;

    public Conv2d(int in, int out, int k, int stride, Padding padding, boolean bias, Initializer init, RandomGenerator rng) {
        this.stride = new int[] {stride, stride};
        this.padding = padding;
        int[] shape = {out, in, k, k};
        registerParameter("weight", Tensor.of(init.values(shape, in * k * k, out * k * k, rng), shape));
        if (bias) registerParameter("bias", Tensor.zeros(out));
    }

    /** Applies spectral normalization to the weight (u and v drawn from rng), as PyTorch's {@code spectral_norm}. */
    public Conv2d spectralNorm(RandomGenerator rng) {
        if (sn != null) throw new IllegalStateException("Conv2d: spectral normalization applied twice");
        sn = SpectralNorm.apply(this, "weight", rng);
        return this;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (sn == null) return Convolution.conv2d(x, param("weight"), param("bias"), stride, padding);
        Tensor w = sn.weight(), y = Convolution.conv2d(x, w, param("bias"), stride, padding);
        w.close();
        return y;
    }
}
