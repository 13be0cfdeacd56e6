package dev.deepanat.diffusion;

/**
 * Eigen-decomposition of a symmetric 3×3 matrix by cyclic Jacobi rotations (accurate to rounding even for
 * nearly equal eigenvalues, where the closed-form trigonometric solution loses digits). Reuse one instance
 * per thread: no allocation per call. Eigenvalues are sorted descending; {@code vectors[3k..3k+2]} is the unit
 * eigenvector of {@code values[k]} (its sign is arbitrary, as in LAPACK).
 */
public final class SymmetricEigen3 {
    public final double[] values = new double[3];
    public final double[] vectors = new double[9];
    private final double[] a = new double[9];
    private final double[] v = new double[9];

    public void decompose(double xx, double yy, double zz, double xy, double xz, double yz) {
        a[0] = xx; a[1] = xy; a[2] = xz;
        a[3] = xy; a[4] = yy; a[5] = yz;
        a[6] = xz; a[7] = yz; a[8] = zz;
        v[0] = 1; v[1] = 0; v[2] = 0; v[3] = 0; v[4] = 1; v[5] = 0; v[6] = 0; v[7] = 0; v[8] = 1;
        double scale = Math.abs(xx) + Math.abs(yy) + Math.abs(zz) + Math.abs(xy) + Math.abs(xz) + Math.abs(yz);
        for (int sweep = 0; sweep < 50; sweep++) {
            double off = Math.abs(a[1]) + Math.abs(a[2]) + Math.abs(a[5]);
            if (off <= 1e-17 * scale || off == 0) break;
            rotate(0, 1);
            rotate(0, 2);
            rotate(1, 2);
        }
        // Sort descending (three elements: a tiny fixed network).
        int i0 = 0, i1 = 1, i2 = 2;
        if (a[4 * i0] < a[4 * i1]) { int t = i0; i0 = i1; i1 = t; }
        if (a[4 * i1] < a[4 * i2]) { int t = i1; i1 = i2; i2 = t; }
        if (a[4 * i0] < a[4 * i1]) { int t = i0; i0 = i1; i1 = t; }
        store(0, i0);
        store(1, i1);
        store(2, i2);
    }

    private void store(int k, int col) {
        values[k] = a[4 * col];
        vectors[3 * k] = v[col];
        vectors[3 * k + 1] = v[3 + col];
        vectors[3 * k + 2] = v[6 + col];
    }

    private void rotate(int p, int q) {
        double apq = a[3 * p + q];
        if (apq == 0) return;
        double theta = (a[3 * q + q] - a[3 * p + p]) / (2 * apq);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) t = 1;
        double c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < 3; k++) {
            double akp = a[3 * k + p], akq = a[3 * k + q];
            a[3 * k + p] = c * akp - s * akq;
            a[3 * k + q] = s * akp + c * akq;
        }
        for (int k = 0; k < 3; k++) {
            double apk = a[3 * p + k], aqk = a[3 * q + k];
            a[3 * p + k] = c * apk - s * aqk;
            a[3 * q + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < 3; k++) {
            double vkp = v[3 * k + p], vkq = v[3 * k + q];
            v[3 * k + p] = c * vkp - s * vkq;
            v[3 * k + q] = s * vkp + c * vkq;
        }
        a[3 * p + q] = 0;
        a[3 * q + p] = 0;
    }
}
