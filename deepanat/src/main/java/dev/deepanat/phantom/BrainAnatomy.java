package dev.deepanat.phantom;

/**
 * The continuous anatomy of one phantom subject: which tissue lies at a point, and which fibre directions run
 * there. Points are in normalised scanner coordinates p ∈ [-1, 1]³ (RAS: +x right, +y anterior, +z superior);
 * internally everything is laid out in "brain coordinates" q = p / semi-axes, where the brain is about the unit ball.
 * <p>Cortex: the white-matter surface sits at radius {@code 1 - csf - thickness} and dips by up to
 * {@code sulcalDepth} along sulci, which are the zero lines of a smooth noise field on the sphere; grey matter is
 * the band of {@code thickness} above it and CSF fills the rest of the sulcus and a thin outer layer. Deep grey
 * nuclei and ventricles are ellipsoids; an interhemispheric fissure splits the hemispheres above the callosum.
 */
public final class BrainAnatomy {
    private static final double OUTER_CSF = 0.03;

    private final SubjectParams s;
    private final SmoothNoise gyri;
    private final SmoothNoise shape;

    public BrainAnatomy(SubjectParams params) {
        this.s = params;
        this.gyri = new SmoothNoise(params.shapeSeed());
        this.shape = new SmoothNoise(params.shapeSeed() ^ 0x5DEECE66DL);
    }

    /** The tissue at p, or -1 outside the brain. */
    public int tissueAt(double px, double py, double pz) {
        double qx = px / s.ax(), qy = py / s.ay(), qz = pz / s.az();
        double r = Math.sqrt(qx * qx + qy * qy + qz * qz);
        r /= 1 + 0.04 * shape.at(1.5 * qx + 3, 1.5 * qy + 3, 1.5 * qz + 3); // subject-specific lumpiness of the outline
        if (r > 1) return -1;

        double ax = Math.abs(qx);
        boolean aboveCallosum = qz > 0.42 || Math.abs(qy) > 0.55 || (qz > 0 && ax < 0.02 && Math.abs(qy) > 0.45);
        if (aboveCallosum && ax < 0.022) return Tissue.CSF.ordinal();                  // interhemispheric fissure
        if (r > 1e-6) {
            double inv = s.gyralFrequency() / r;
            double n = gyri.fractal(qx * inv + 11, qy * inv + 23, qz * inv + 37);
            double dip = s.sulcalDepth() * Math.max(0, 1 - Math.abs(n) / s.sulcalWidth());
            double wmSurface = 1 - OUTER_CSF - s.cortexThickness() - dip;
            if (r > wmSurface + s.cortexThickness()) return Tissue.CSF.ordinal();
            if (r > wmSurface) return Tissue.CORTICAL_GM.ordinal();
        }
        if (aboveCallosum && ax < 0.022 + s.cortexThickness()) return Tissue.CORTICAL_GM.ordinal(); // medial cortex

        double v = s.ventricleScale();
        double vz = 0.20 - 0.6 * (qy - 0.05) * (qy - 0.05);
        if (inEllipsoid(ax - 0.12, qy - 0.05, qz - vz, 0.075 * v, 0.40, 0.11 * v)) return Tissue.CSF.ordinal(); // lateral ventricles
        if (ax < 0.02 * v && Math.abs(qy + 0.05) < 0.15 && qz > -0.18 && qz < 0.08) return Tissue.CSF.ordinal(); // third ventricle
        if (inEllipsoid(ax - 0.13, qy + 0.12, qz + 0.04, 0.10, 0.16, 0.11)) return Tissue.DEEP_GM.ordinal();   // thalamus
        if (inEllipsoid(ax - 0.30, qy - 0.12, qz, 0.075, 0.21, 0.15)) return Tissue.DEEP_GM.ordinal();          // lentiform nucleus
        if (inEllipsoid(ax - 0.19, qy - 0.30, qz - 0.12, 0.06, 0.12, 0.09)) return Tissue.DEEP_GM.ordinal();    // caudate head
        return Tissue.WM.ordinal();
    }

    /**
     * Fibre directions at p (meaningful in white matter): up to two unit vectors into {@code out} (flat, 6 values).
     * @return the number of fibre populations, 1 or 2 (crossing regions are split evenly)
     */
    public int fibresAt(double px, double py, double pz, double[] out) {
        double qx = px / s.ax(), qy = py / s.ay(), qz = pz / s.az();
        int n = 0;
        // Corpus callosum: a left-right band that arches upwards laterally.
        double zcc = 0.30 + 0.5 * qx * qx;
        if (Math.abs(qz - zcc) < 0.07 && Math.abs(qy) < 0.45 && Math.abs(qx) < 0.75) n = put(out, n, 1, 0, qx);
        // Corticospinal tracts: superior-inferior, fanning slightly outwards as they ascend.
        double side = Math.signum(qx) == 0 ? 1 : Math.signum(qx);
        double xc = side * (0.20 + 0.12 * (qz + 0.6));
        if (qz > -0.95 && qz < 0.75 && sq(qx - xc) + sq(qy + 0.08) < sq(0.09)) n = put(out, n, side * 0.12, 0, 1);
        // Superior-longitudinal-like association bundles: anterior-posterior.
        if (n < 2 && Math.abs(qy) < 0.55 && sq(Math.abs(qx) - 0.42) + sq(qz - 0.20) < sq(0.08)) n = put(out, n, 0, 1, 0);
        if (n == 0) {
            double r = Math.sqrt(qx * qx + qy * qy + qz * qz);
            n = r < 0.1 ? put(out, 0, 0, 0, 1) : put(out, 0, qx, qy, qz); // corona-radiata-like radial default
        }
        return n;
    }

    private static int put(double[] out, int n, double x, double y, double z) {
        double norm = Math.sqrt(x * x + y * y + z * z);
        out[3 * n] = x / norm;
        out[3 * n + 1] = y / norm;
        out[3 * n + 2] = z / norm;
        return n + 1;
    }

    private static boolean inEllipsoid(double dx, double dy, double dz, double rx, double ry, double rz) {
        return sq(dx / rx) + sq(dy / ry) + sq(dz / rz) <= 1;
    }

    private static double sq(double v) { return v * v; }
}
