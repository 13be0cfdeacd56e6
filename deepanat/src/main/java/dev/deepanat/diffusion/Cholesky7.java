package dev.deepanat.diffusion;

/** In-place Cholesky factorisation and solve for the 7×7 normal equations; no allocation. */
final class Cholesky7 {
    private static final int P = TensorDesign.P;

    private Cholesky7() {}

    /** Writes the lower factor L of the SPD matrix {@code a} into {@code l}; false when {@code a} is not positive definite. */
    static boolean factor(double[] a, double[] l) {
        for (int i = 0; i < P; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * P + j];
                for (int k = 0; k < j; k++) s -= l[i * P + k] * l[j * P + k];
                if (i == j) {
                    if (!(s > 1e-12 * Math.abs(a[i * P + i])) || !(s > 0)) return false;
                    l[i * P + i] = Math.sqrt(s);
                } else {
                    l[i * P + j] = s / l[j * P + j];
                }
            }
        }
        return true;
    }

    /** Solves L Lᵀ x = b in place. */
    static void solve(double[] l, double[] b) {
        for (int i = 0; i < P; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i * P + k] * b[k];
            b[i] = s / l[i * P + i];
        }
        for (int i = P - 1; i >= 0; i--) {
            double s = b[i];
            for (int k = i + 1; k < P; k++) s -= l[k * P + i] * b[k];
            b[i] = s / l[i * P + i];
        }
    }
}
