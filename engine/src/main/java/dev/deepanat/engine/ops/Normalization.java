package dev.deepanat.engine.ops;

import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.BatchNormGeometry;

/**
 * Batch normalization over every axis but the channel axis (1), as a backend primitive (cuDNN has one; the reference
 * backend's loops follow {@link #batchNormComposed}, the composed definition the conformance suite checks it against).
 * Momentum follows PyTorch: running ← (1 − momentum)·running + momentum·batch, with the unbiased batch variance in the
 * running average (Keras' momentum m is PyTorch's 1 − m).
 */
public final class Normalization {
    private Normalization() {}

    public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   boolean training, float momentum, float eps) {
        Backend be = OpSupport.sameBackend("batchNorm", x, gamma, beta, runningMean, runningVar);
        int c = check(x, gamma, beta, runningMean, runningVar);
        BatchNormGeometry g = new BatchNormGeometry(x.dim(0), c, x.numel() / Math.max(1, (long) x.dim(0) * c));
        if (!training && (runningMean == null || runningVar == null))
            throw new IllegalArgumentException("batchNorm: evaluation needs running statistics");
        if (training && g.count() < 2)
            throw new IllegalArgumentException("batchNorm: training needs more than one value per channel, got " + Shapes.str(x.shape()));
        Tensor xd = x.contiguous(), gd = gamma == null ? null : gamma.contiguous(), bd = beta == null ? null : beta.contiguous();
        Tensor y = OpSupport.empty(be, x.shape());
        Tensor out;
        if (training) {
            Tensor mean = OpSupport.empty(be, c), invStd = OpSupport.empty(be, c);
            be.batchNormForwardTraining(g, momentum, eps, xd.storage(), st(gd), st(bd), st(runningMean), st(runningVar),
                    y.storage(), mean.storage(), invStd.storage());
            out = Autograd.op("batchNorm", y, x, gamma, beta).save(xd, gd, mean, invStd).backward((gy, n) -> {
                Tensor gyd = gy.contiguous();
                Tensor dx = n.needs(0) ? OpSupport.empty(be, x.shape()) : null;
                Tensor dg = n.needs(1) ? OpSupport.empty(be, c) : null, db = n.needs(2) ? OpSupport.empty(be, c) : null;
                be.batchNormBackward(g, n.saved(0).storage(), gyd.storage(), gd == null ? null : n.saved(1).storage(),
                        n.saved(2).storage(), n.saved(3).storage(), st(dx), st(dg), st(db));
                return new Tensor[] {dx, dg, db};
            });
            mean.close();
            invStd.close();
        } else {
            be.batchNormForwardInference(g, eps, xd.storage(), st(gd), st(bd), st(runningMean), st(runningVar), y.storage());
            boolean grads = x.requiresGrad() || gamma != null && gamma.requiresGrad() || beta != null && beta.requiresGrad();
            // The running statistics may change before this graph's backward runs: it keeps copies (c floats each).
            Tensor rm = grads ? Views.copyOf(runningMean) : null, rv = grads ? Views.copyOf(runningVar) : null;
            out = Autograd.op("batchNorm", y, x, gamma, beta).save(xd, gd, rm, rv)
                    .backward((gy, n) -> inferenceBackward(gy, n.saved(0), gd == null ? null : n.saved(1), n.saved(2), n.saved(3),
                            eps, n.needs(0), n.needs(1), n.needs(2)));
            OpSupport.closeTemp(rm, null);
            OpSupport.closeTemp(rv, null);
        }
        OpSupport.closeTemp(xd, x);
        OpSupport.closeTemp(gd, gamma);
        OpSupport.closeTemp(bd, beta);
        return out;
    }

    /** With fixed statistics the norm is affine: dx = dy·γ·s, dγ = Σ dy·x̂, dβ = Σ dy, s = 1/√(var + eps). */
    private static Tensor[] inferenceBackward(Tensor gy, Tensor x, Tensor gamma, Tensor rm, Tensor rv, float eps,
                                              boolean needX, boolean needGamma, boolean needBeta) {
        int c = x.dim(1);
        int[] bshape = channelShape(x.rank(), c), axes = reducedAxes(x.rank());
        Tensor s = rv.add(eps).pow(-0.5f).reshape(bshape);
        Tensor dx = needX ? gy.mul(gamma == null ? s : s.mul(gamma.reshape(bshape))) : null;
        Tensor dg = needGamma ? gy.mul(x.sub(rm.reshape(bshape)).mul(s)).sum(false, axes) : null;
        Tensor db = needBeta ? gy.sum(false, axes) : null;
        return new Tensor[] {dx, dg, db};
    }

    /**
     * Today's definition composed from differentiable primitives, kept as the oracle of the primitive: the reference
     * backend's loops compute the same formulas, and the conformance suite compares the two.
     */
    public static Tensor batchNormComposed(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                           boolean training, float momentum, float eps) {
        int c = check(x, gamma, beta, runningMean, runningVar);
        int[] bshape = channelShape(x.rank(), c), axes = reducedAxes(x.rank());
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor mean, var;
            if (training) {
                long n = x.numel() / c;
                mean = x.mean(true, axes);
                Tensor xc = x.sub(mean);
                var = xc.mul(xc).mean(true, axes);
                if (runningMean != null && runningVar != null) {
                    try (Autograd.NoGrad ng = Autograd.noGrad()) {
                        runningMean.copyFrom(runningMean.mul(1 - momentum).add(mean.detach().reshape(c).mul(momentum)));
                        runningVar.copyFrom(runningVar.mul(1 - momentum).add(var.detach().reshape(c).mul(momentum * n / (float) (n - 1))));
                    }
                }
                return scope.keep(affine(xc.div(var.add(eps).sqrt()), gamma, beta, bshape));
            }
            Tensor y = x.sub(runningMean.reshape(bshape)).div(runningVar.reshape(bshape).add(eps).sqrt());
            return scope.keep(affine(y, gamma, beta, bshape));
        }
    }

    private static int check(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar) {
        if (x.rank() < 2) throw new IllegalArgumentException("batchNorm: expected [n, c, ...], got " + Shapes.str(x.shape()));
        int c = x.dim(1);
        for (Tensor p : new Tensor[] {gamma, beta, runningMean, runningVar})
            if (p != null && (p.rank() != 1 || p.dim(0) != c))
                throw new IllegalArgumentException("batchNorm: parameter of shape " + Shapes.str(p.shape()) + " for " + c
                        + " channels of input " + Shapes.str(x.shape()));
        return c;
    }

    private static int[] channelShape(int rank, int c) {
        int[] bshape = new int[rank];
        java.util.Arrays.fill(bshape, 1);
        bshape[1] = c;
        return bshape;
    }

    private static int[] reducedAxes(int rank) {
        int[] axes = new int[rank - 1];
        for (int i = 2; i < rank; i++) axes[i - 1] = i;
        return axes;
    }

    private static dev.deepanat.engine.backend.Storage st(Tensor t) {
        return t == null ? null : t.storage();
    }

    private static Tensor affine(Tensor y, Tensor gamma, Tensor beta, int[] bshape) {
        if (gamma != null) y = y.mul(gamma.reshape(bshape));
        if (beta != null) y = y.add(beta.reshape(bshape));
        return y;
    }
}
