package dev.deepanat.engine.nn;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.ops.Normalization;

/**
 * Batch normalization over channels of [n, c, ...] (BatchNorm2d on 4-D input, BatchNorm3d on 5-D): weight, bias,
 * running_mean and running_var as PyTorch names them. Momentum is PyTorch's (default 0.1). In training mode it
 * normalizes with the batch's statistics and updates the running averages, unless {@link #freeze frozen}; in eval mode
 * it normalizes with the running averages.
 */
public final class BatchNorm extends Module {
    private final int spatialDims;
    private final float momentum;
    private final float eps;

    public BatchNorm(int channels, int spatialDims) {
        this(channels, spatialDims, 0.1f, 1e-5f);
    }

    public BatchNorm(int channels, int spatialDims, float momentum, float eps) {
        this.spatialDims = spatialDims;
        this.momentum = momentum;
        this.eps = eps;
        registerParameter("weight", Tensor.ones(channels));
        registerParameter("bias", Tensor.zeros(channels));
        registerBuffer("running_mean", Tensor.zeros(channels));
        registerBuffer("running_var", Tensor.ones(channels));
    }

    public static BatchNorm of2d(int channels) { return new BatchNorm(channels, 2); }

    public static BatchNorm of3d(int channels) { return new BatchNorm(channels, 3); }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != spatialDims + 2)
            throw new IllegalArgumentException("BatchNorm" + spatialDims + "d: expected a rank-" + (spatialDims + 2)
                    + " input, got " + dev.deepanat.engine.Shapes.str(x.shape()));
        // Frozen in training mode: the batch's statistics, and no running statistics handed over to be updated.
        boolean keepRunning = isTraining() && isFrozen();
        return Normalization.batchNorm(x, param("weight"), param("bias"), keepRunning ? null : buffer("running_mean"),
                keepRunning ? null : buffer("running_var"), isTraining(), momentum, eps);
    }
}
