package dev.deepanat.nifti;

/** Deterministic test volumes and geometry, mirrored by pattern() and test_affine() in make_golden.py. */
final class NiftiTestImages {
    private NiftiTestImages() {}

    /** ((x*7 + y*13 + z*29 + t*31) % 200) - 50, plus ((x+y) % 8) / 8 when fractional. */
    static float[] pattern(int[] dims, boolean fractional) {
        int nx = dims[0], ny = dims[1], nz = dims[2], nt = dims.length > 3 ? dims[3] : 1;
        float[] v = new float[nx * ny * nz * nt];
        int i = 0;
        for (int t = 0; t < nt; t++)
            for (int z = 0; z < nz; z++)
                for (int y = 0; y < ny; y++)
                    for (int x = 0; x < nx; x++)
                        v[i++] = (float) (((x * 7 + y * 13 + z * 29 + t * 31) % 200) - 50.0 + (fractional ? ((x + y) % 8) / 8.0 : 0));
        return v;
    }

    /** Oblique: Rz(-7 deg) Rx(12 deg) diag(1.5, 2, 2.5), offset (-40.25, 30.5, -12.75). */
    static double[][] affine() {
        double a = Math.toRadians(12.0), b = Math.toRadians(-7.0);
        double[][] rx = {{1, 0, 0, 0}, {0, Math.cos(a), -Math.sin(a), 0}, {0, Math.sin(a), Math.cos(a), 0}, {0, 0, 0, 1}};
        double[][] rz = {{Math.cos(b), -Math.sin(b), 0, 0}, {Math.sin(b), Math.cos(b), 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
        double[][] s = {{1.5, 0, 0, 0}, {0, 2.0, 0, 0}, {0, 0, 2.5, 0}, {0, 0, 0, 1}};
        double[][] m = Affines.multiply(Affines.multiply(rz, rx), s);
        m[0][3] = -40.25;
        m[1][3] = 30.5;
        m[2][3] = -12.75;
        return m;
    }

    /** A header with the oblique affine as both sform (aligned) and qform (scanner), units mm/s, TR 2.5 s. */
    static NiftiHeader geometry(int... dims) {
        double[][] aff = affine();
        NiftiHeader.Builder b = new NiftiHeader.Builder().dims(dims).sform(2, aff).qform(1, aff)
                .xyztUnits(2 | 8).descrip("DeepAnat-J writer test").intent(0, 0, 0, 0, "");
        double[] p = b.build().pixdim();
        p[4] = 2.5;
        return b.pixdim(p).build();
    }
}
