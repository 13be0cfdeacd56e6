package dev.deepanat.engine.nn;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.init.Initializer;
import dev.deepanat.engine.init.Initializers;
import dev.deepanat.engine.ops.Convolution;
import dev.deepanat.engine.ops.Padding;

import java.util.random.RandomGenerator;

/** 3D convolution layer: weight [out, in, k, k, k] (PyTorch layout), optional bias; Keras-style 'same' by default. */
public final class Conv3d extends Module {
    private final int[] stride;
    private final Padding padding;

    public Conv3d(int in, int out, int k, RandomGenerator rng) {
        this(in, out, k, 1, Padding.same(), true, Initializers.heNormal(), rng);
    }

    public Conv3d(int in, int out, int k, int stride, Padding padding, boolean bias, Initializer init, RandomGenerator rng) {
        this.stride = new int[] {stride, stride, stride};
        this.padding = padding;
        int[] shape = {out, in, k, k, k};
        int rf = k * k * k;
        registerParameter("weight", Tensor.of(init.values(shape, in * rf, out * rf, rng), shape));
        if (bias) registerParameter("bias", Tensor.zeros(out));
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolution.conv3d(x, param("weight"), param("bias"), stride, padding);
    }

    /**
     * For inference, [relu](forward(concat(skip, upsample ×2 (low)))) without materializing the upsampled level or
     * the concatenation ({@link Convolution#conv3dSkipUp}); for a stride-1, 'same' layer only.
     */
    public Tensor forwardSkipUp(Tensor skip, Tensor low, boolean relu) {
        if (!strideOneSame()) throw new IllegalStateException("forwardSkipUp needs a stride-1 'same' convolution");
        return Convolution.conv3dSkipUp(skip, low, param("weight"), param("bias"), relu);
    }

    /** Whether {@link #forwardSkipUp} would read skip and low in place on their backend (else it materializes them). */
    public boolean skipUpInPlace(Tensor skip, Tensor low) {
        return strideOneSame() && Convolution.conv3dSkipUpInPlace(skip, low, param("weight"));
    }

    private boolean strideOneSame() {
        return stride[0] == 1 && stride[1] == 1 && stride[2] == 1 && padding instanceof Padding.Same;
    }

    /** relu(forward(x)) with the ReLU fused into the convolution's output ({@link Convolution#conv3dRelu}). */
    public Tensor forwardRelu(Tensor x) {
        return Convolution.conv3dRelu(x, param("weight"), param("bias"), stride, padding);
    }
}
