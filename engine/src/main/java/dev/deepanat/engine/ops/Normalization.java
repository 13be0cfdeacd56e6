package dev.deepanat.engine.ops;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;

/**
 * Batch normalization over every axis but the channel axis (1), composed from differentiable primitives so that its
 * gradient needs no rule of its own. Momentum follows PyTorch: running ← (1 − momentum)·running + momentum·batch,
 * with the unbiased batch variance in the running average (Keras' momentum m is PyTorch's 1 − m).
 */
public final class Normalization {
    private Normalization() {}

    public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   boolean training, float momentum, float eps) {
        if (x.rank() < 2) throw new IllegalArgumentException("batchNorm: expected [n, c, ...], got " + Shapes.str(x.shape()));
        int c = x.dim(1);
        for (Tensor p : new Tensor[] {gamma, beta, runningMean, runningVar})
            if (p != null && (p.rank() != 1 || p.dim(0) != c))
                throw new IllegalArgumentException("batchNorm: parameter of shape " + Shapes.str(p.shape()) + " for " + c
                        + " channels of input " + Shapes.str(x.shape()));
        int[] bshape = new int[x.rank()];
        java.util.Arrays.fill(bshape, 1);
        bshape[1] = c;
        int[] axes = new int[x.rank() - 1];
        axes[0] = 0;
        for (int i = 2; i < x.rank(); i++) axes[i - 1] = i;
        Tensor mean, var;
        if (training) {
            long n = x.numel() / c;
            if (n < 2) throw new IllegalArgumentException("batchNorm: training needs more than one value per channel, got " + Shapes.str(x.shape()));
            mean = x.mean(true, axes);
            Tensor xc = x.sub(mean);
            var = xc.mul(xc).mean(true, axes);
            if (runningMean != null && runningVar != null) {
                try (Autograd.NoGrad ng = Autograd.noGrad()) {
                    runningMean.copyFrom(runningMean.mul(1 - momentum).add(mean.detach().reshape(c).mul(momentum)));
                    runningVar.copyFrom(runningVar.mul(1 - momentum).add(var.detach().reshape(c).mul(momentum * n / (float) (n - 1))));
                }
            }
            Tensor y = xc.div(var.add(eps).sqrt());
            return affine(y, gamma, beta, bshape);
        }
        if (runningMean == null || runningVar == null)
            throw new IllegalArgumentException("batchNorm: evaluation needs running statistics");
        Tensor y = x.sub(runningMean.reshape(bshape)).div(runningVar.reshape(bshape).add(eps).sqrt());
        return affine(y, gamma, beta, bshape);
    }

    private static Tensor affine(Tensor y, Tensor gamma, Tensor beta, int[] bshape) {
        if (gamma != null) y = y.mul(gamma.reshape(bshape));
        if (beta != null) y = y.add(beta.reshape(bshape));
        return y;
    }
}
