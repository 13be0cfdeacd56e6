package dev.deepanat.diffusion;

import java.util.SplittableRandom;

/**
 * The six gradient directions along which DeepAnat/DeepDTI synthesize DWIs from the fitted tensor.
 * <p>They are the "DSM6" scheme of Skare et al., J Magn Reson 2000;147(2):340-352, which minimises the condition
 * number of the 6×6 tensor design matrix, exactly as listed (before normalisation) in DeepDTI's
 * {@code s_DeepDTI_prepData.m} (Tian et al., NeuroImage 2020;219:117017, github.com/qiyuantian/DeepDTI):
 * <pre>
 *   ( 0.910,  0.416, 0    )
 *   ( 0,      0.910, 0.416)
 *   ( 0.416,  0,     0.910)
 *   ( 0.910, -0.416, 0    )
 *   ( 0,      0.910,-0.416)
 *   (-0.416,  0,     0.910)
 * </pre>
 * each normalised to unit length (norm 1.000592). {@link #minimiseConditionNumber} is a numerical check that no
 * six directions do better under our design-matrix convention; the test suite runs it.
 */
public final class OptimalDirections {
    private OptimalDirections() {}

    private static final double[] RAW = {
            0.910, 0.416, 0,
            0, 0.910, 0.416,
            0.416, 0, 0.910,
            0.910, -0.416, 0,
            0, 0.910, -0.416,
            -0.416, 0, 0.910,
    };

    /** DSM6, unit vectors, flat {@code x0,y0,z0,x1,...}. */
    public static double[] dsm6() {
        double[] d = RAW.clone();
        for (int i = 0; i < 6; i++) {
            double n = Math.sqrt(d[3 * i] * d[3 * i] + d[3 * i + 1] * d[3 * i + 1] + d[3 * i + 2] * d[3 * i + 2]);
            for (int c = 0; c < 3; c++) d[3 * i + c] /= n;
        }
        return d;
    }

    /**
     * Condition number (ratio of extreme singular values) of the 6×6 matrix with rows
     * [gx², gy², gz², 2gxgy, 2gxgz, 2gygz] — the tensor part of the design, the b-value being a common factor.
     */
    public static double conditionNumber(double[] dirs) {
        int n = dirs.length / 3;
        double[] ata = new double[36];
        double[] row = new double[6];
        for (int i = 0; i < n; i++) {
            double x = dirs[3 * i], y = dirs[3 * i + 1], z = dirs[3 * i + 2];
            row[0] = x * x; row[1] = y * y; row[2] = z * z; row[3] = 2 * x * y; row[4] = 2 * x * z; row[5] = 2 * y * z;
            for (int a = 0; a < 6; a++) for (int b = 0; b < 6; b++) ata[a * 6 + b] += row[a] * row[b];
        }
        double[] ev = JacobiEigen.eigenvalues(ata, 6);
        double max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY;
        for (double e : ev) { max = Math.max(max, e); min = Math.min(min, e); }
        return min <= 0 ? Double.POSITIVE_INFINITY : Math.sqrt(max / min);
    }

    /**
     * Random-restart stochastic descent over six directions (in spherical angles) minimising
     * {@link #conditionNumber}. Deterministic for a seed. Used to confirm that DSM6 is (near) optimal.
     */
    public static double[] minimiseConditionNumber(long seed, int restarts, int iterations) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] best = null;
        double bestCond = Double.POSITIVE_INFINITY;
        for (int r = 0; r < restarts; r++) {
            double[] ang = new double[12];
            for (int i = 0; i < 6; i++) { ang[2 * i] = Math.acos(2 * rnd.nextDouble() - 1); ang[2 * i + 1] = 2 * Math.PI * rnd.nextDouble(); }
            double cond = conditionNumber(toDirs(ang));
            double step = 0.3;
            for (int it = 0; it < iterations; it++) {
                double[] trial = ang.clone();
                for (int k = 0; k < 12; k++) trial[k] += step * (rnd.nextDouble() * 2 - 1);
                double c = conditionNumber(toDirs(trial));
                if (c < cond) { cond = c; ang = trial; } else step = Math.max(1e-4, step * 0.995);
            }
            if (cond < bestCond) { bestCond = cond; best = toDirs(ang); }
        }
        return best;
    }

    private static double[] toDirs(double[] ang) {
        double[] d = new double[18];
        for (int i = 0; i < 6; i++) {
            double th = ang[2 * i], ph = ang[2 * i + 1];
            d[3 * i] = Math.sin(th) * Math.cos(ph);
            d[3 * i + 1] = Math.sin(th) * Math.sin(ph);
            d[3 * i + 2] = Math.cos(th);
        }
        return d;
    }
}
