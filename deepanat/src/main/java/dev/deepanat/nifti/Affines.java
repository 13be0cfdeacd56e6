package dev.deepanat.nifti;

/**
 * Voxel-to-world matrices from a header, computed the way nibabel does so that our affines match {@code img.affine}.
 * nibabel sanitises a header when it loads it (invalid xform codes become 0, a qfac other than +-1 becomes 1,
 * zero voxel sizes become 1 and negative ones their absolute value); we apply the same fixes here, leaving the header
 * itself as it was on disk.
 */
public final class Affines {
    private Affines() {}

    /** nibabel's {@code get_best_affine()}: sform if its code is set, else qform if its code is set, else pixdim scaling. */
    public static double[][] best(NiftiHeader h) {
        if (validCode(h.sformCode()) != 0) return sform(h);
        if (validCode(h.qformCode()) != 0) return qform(h);
        return base(h);
    }

    /** The sform rows as a 4x4 matrix. */
    public static double[][] sform(NiftiHeader h) {
        return new double[][] {h.srowX(), h.srowY(), h.srowZ(), {0, 0, 0, 1}};
    }

    /** The qform: rotation from the quaternion, scaled by the voxel sizes (z by qfac), then the offsets. */
    public static double[][] qform(NiftiHeader h) {
        double[] p = sanePixdim(h);
        double[][] r = Quaternions.toRotation(h.quaternB(), h.quaternC(), h.quaternD());
        double[] s = {p[1], p[2], p[3] * p[0]};
        double[][] m = new double[4][4];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) m[i][j] = r[i][j] * s[j];
        m[0][3] = h.qoffsetX();
        m[1][3] = h.qoffsetY();
        m[2][3] = h.qoffsetZ();
        m[3][3] = 1;
        return m;
    }

    /**
     * nibabel's {@code get_base_affine()}: voxel sizes on the diagonal with x flipped, and the image centre at
     * the origin (what Analyze readers assumed before NIfTI had xforms).
     */
    public static double[][] base(NiftiHeader h) {
        double[] p = sanePixdim(h);
        long[] shape = h.shape();
        double[] n = {1, 1, 1}, z = {1, 1, 1};
        for (int i = 0; i < Math.min(3, shape.length); i++) {
            n[i] = shape[i];
            z[i] = p[i + 1];
        }
        z[0] = -z[0];
        double[][] m = new double[4][4];
        for (int i = 0; i < 3; i++) {
            m[i][i] = z[i];
            m[i][3] = -(n[i] - 1) / 2.0 * z[i];
        }
        m[3][3] = 1;
        return m;
    }

    /** Codes outside NIfTI's 0..5 count as 0, as in nibabel's header check. */
    static int validCode(int code) { return code >= 0 && code <= 5 ? code : 0; }

    /** pixdim with nibabel's load-time fixes: qfac in {-1, 1}, voxel sizes positive. */
    static double[] sanePixdim(NiftiHeader h) {
        double[] p = h.pixdim();
        if (p[0] != 1 && p[0] != -1) p[0] = 1;
        for (int i = 1; i <= 3; i++) {
            if (p[i] == 0) p[i] = 1;
            else p[i] = Math.abs(p[i]);
        }
        return p;
    }

    /** Matrix product of two 4x4 matrices. */
    public static double[][] multiply(double[][] a, double[][] b) {
        double[][] c = new double[4][4];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                double s = 0;
                for (int k = 0; k < 4; k++) s += a[i][k] * b[k][j];
                c[i][j] = s;
            }
        return c;
    }

    /**
     * Inverse of a voxel-to-world affine (last row 0 0 0 1): the 3x3 part by its adjugate, then the translation.
     * Throws IllegalArgumentException when the 3x3 part is singular or anything is not finite.
     */
    public static double[][] invert(double[][] a) {
        double[][] r = new double[4][4];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                int i1 = (i + 1) % 3, i2 = (i + 2) % 3, j1 = (j + 1) % 3, j2 = (j + 2) % 3;
                r[j][i] = a[i1][j1] * a[i2][j2] - a[i1][j2] * a[i2][j1]; // cofactor, transposed
            }
        double det = a[0][0] * r[0][0] + a[0][1] * r[1][0] + a[0][2] * r[2][0];
        if (!(Math.abs(det) > 0) || !Double.isFinite(det))
            throw new IllegalArgumentException("affine is singular (determinant " + det + ")");
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) r[i][j] /= det;
            r[i][3] = -(r[i][0] * a[0][3] + r[i][1] * a[1][3] + r[i][2] * a[2][3]);
            if (!Double.isFinite(r[i][3])) throw new IllegalArgumentException("affine has a non-finite translation");
        }
        r[3][3] = 1;
        return r;
    }
}
