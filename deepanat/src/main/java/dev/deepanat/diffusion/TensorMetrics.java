package dev.deepanat.diffusion;

/** Scalar maps from sorted eigenvalues (dipy's definitions). */
public final class TensorMetrics {
    private TensorMetrics() {}

    /** Fractional anisotropy; 0 for a zero tensor. */
    public static double fa(double l1, double l2, double l3) {
        double den = l1 * l1 + l2 * l2 + l3 * l3;
        if (den <= 0) return 0;
        double num = (l1 - l2) * (l1 - l2) + (l2 - l3) * (l2 - l3) + (l3 - l1) * (l3 - l1);
        return Math.sqrt(0.5 * num / den);
    }

    public static double md(double l1, double l2, double l3) { return (l1 + l2 + l3) / 3; }
}
