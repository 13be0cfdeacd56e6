package dev.deepanat.nifti;

/** The NIfTI quaternion convention: (b, c, d) stored, a = sqrt(1 - b^2 - c^2 - d^2) >= 0 implied. */
public final class Quaternions {
    private Quaternions() {}

    /** The 3x3 rotation for a stored (b, c, d), as nibabel's {@code quat2mat(fillpositive(bcd))}. */
    public static double[][] toRotation(double b, double c, double d) {
        double w2 = 1.0 - (b * b + c * c + d * d);
        // Rounding in float32 headers can push w2 just below 0; NIfTI treats that as a 180-degree rotation.
        double a = w2 > 0 ? Math.sqrt(w2) : 0;
        double n = a * a + b * b + c * c + d * d;
        if (n < 1e-300) return new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        double s = 2.0 / n;
        double x = b * s, y = c * s, z = d * s;
        double wX = a * x, wY = a * y, wZ = a * z;
        double xX = b * x, xY = b * y, xZ = b * z;
        double yY = c * y, yZ = c * z, zZ = d * z;
        return new double[][] {
                {1.0 - (yY + zZ), xY - wZ, xZ + wY},
                {xY + wZ, 1.0 - (xX + zZ), yZ - wX},
                {xZ - wY, yZ + wX, 1.0 - (xX + yY)}};
    }

    /**
     * The qform parameters that encode a 4x4 affine, following nifti_mat44_to_quatern (polar decomposition of the
     * 3x3 part into rotation and voxel sizes). Returns {b, c, d, qfac, dx, dy, dz, x, y, z}.
     */
    public static double[] fromAffine(double[][] m) {
        double r11 = m[0][0], r12 = m[0][1], r13 = m[0][2];
        double r21 = m[1][0], r22 = m[1][1], r23 = m[1][2];
        double r31 = m[2][0], r32 = m[2][1], r33 = m[2][2];
        double xd = Math.sqrt(r11 * r11 + r21 * r21 + r31 * r31);
        double yd = Math.sqrt(r12 * r12 + r22 * r22 + r32 * r32);
        double zd = Math.sqrt(r13 * r13 + r23 * r23 + r33 * r33);
        if (xd == 0) { r11 = 1; r21 = 0; r31 = 0; xd = 1; }
        if (yd == 0) { r22 = 1; r12 = 0; r32 = 0; yd = 1; }
        if (zd == 0) { r33 = 1; r13 = 0; r23 = 0; zd = 1; }
        double dx = xd, dy = yd, dz = zd;
        r11 /= xd; r21 /= xd; r31 /= xd;
        r12 /= yd; r22 /= yd; r32 /= yd;
        r13 /= zd; r23 /= zd; r33 /= zd;
        double[][] q = orthogonalize(new double[][] {{r11, r12, r13}, {r21, r22, r23}, {r31, r32, r33}});
        r11 = q[0][0]; r12 = q[0][1]; r13 = q[0][2];
        r21 = q[1][0]; r22 = q[1][1]; r23 = q[1][2];
        r31 = q[2][0]; r32 = q[2][1]; r33 = q[2][2];
        double det = r11 * r22 * r33 - r11 * r32 * r23 - r21 * r12 * r33 + r21 * r32 * r13 + r31 * r12 * r23
                - r31 * r22 * r13;
        double qfac = 1;
        if (det <= 0) { // a left-handed frame: flip z and record it in qfac
            qfac = -1;
            r13 = -r13; r23 = -r23; r33 = -r33;
        }
        double a = r11 + r22 + r33 + 1.0, b, c, d;
        if (a > 0.5) {
            a = 0.5 * Math.sqrt(a);
            b = 0.25 * (r32 - r23) / a;
            c = 0.25 * (r13 - r31) / a;
            d = 0.25 * (r21 - r12) / a;
        } else {
            double xx = 1.0 + r11 - (r22 + r33), yy = 1.0 + r22 - (r11 + r33), zz = 1.0 + r33 - (r11 + r22);
            if (xx > 1.0) {
                b = 0.5 * Math.sqrt(xx); c = 0.25 * (r12 + r21) / b; d = 0.25 * (r13 + r31) / b;
                a = 0.25 * (r32 - r23) / b;
            } else if (yy > 1.0) {
                c = 0.5 * Math.sqrt(yy); b = 0.25 * (r12 + r21) / c; d = 0.25 * (r23 + r32) / c;
                a = 0.25 * (r13 - r31) / c;
            } else {
                d = 0.5 * Math.sqrt(zz); b = 0.25 * (r13 + r31) / d; c = 0.25 * (r23 + r32) / d;
                a = 0.25 * (r21 - r12) / d;
            }
            if (a < 0) { b = -b; c = -c; d = -d; }
        }
        return new double[] {b, c, d, qfac, dx, dy, dz, m[0][3], m[1][3], m[2][3]};
    }

    /** The nearest orthogonal matrix (polar decomposition by Newton iteration X <- (X + X^-T) / 2). */
    static double[][] orthogonalize(double[][] x) {
        double[][] m = {x[0].clone(), x[1].clone(), x[2].clone()};
        for (int it = 0; it < 100; it++) {
            double[][] inv = inverse3(m);
            if (inv == null) return m;
            double diff = 0;
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) {
                    double v = 0.5 * (m[i][j] + inv[j][i]);
                    diff += Math.abs(v - m[i][j]);
                    m[i][j] = v;
                }
            if (diff < 1e-14) break;
        }
        return m;
    }

    private static double[][] inverse3(double[][] m) {
        double a = m[0][0], b = m[0][1], c = m[0][2], d = m[1][0], e = m[1][1], f = m[1][2];
        double g = m[2][0], h = m[2][1], i = m[2][2];
        double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
        if (det == 0) return null;
        return new double[][] {
                {(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det},
                {(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det},
                {(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det}};
    }
}
