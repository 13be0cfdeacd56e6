package dev.deepanat.engine.backend;

/**
 * One Adam update's scalars, as torch.optim.Adam computes them: with bias corrections bc1 = 1 − β1^t,
 * bc2 = 1 − β2^t, m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², p ← p − (lr / bc1) · m / (sqrt(v) / sqrt(bc2) + ε).
 * Weight decay (L2, added to the gradient as torch does) is 0 unless set.
 */
public record AdamStep(float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
    public double biasCorrection1() { return 1 - Math.pow(beta1, step); }
    public double biasCorrection2() { return 1 - Math.pow(beta2, step); }
}
