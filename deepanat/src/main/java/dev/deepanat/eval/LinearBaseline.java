package dev.deepanat.eval;

import dev.deepanat.data.InputChannels;
import dev.deepanat.data.MaskStats;
import dev.deepanat.data.Subject;

import java.util.List;

/**
 * The demo's baseline: a voxel-wise least-squares linear regression of the normalized T1w on the 11 normalized
 * inputs (plus an intercept), fitted over the mask voxels of the training subjects. It sees each voxel alone, so
 * what the U-Net gains over it is what spatial context buys.
 */
public final class LinearBaseline {
    private static final int P = InputChannels.COUNT + 1;
    private final double[] coef;

    private LinearBaseline(double[] coef) {
        this.coef = coef;
    }

    public static LinearBaseline fit(List<Subject> subjects) {
        double[][] xtx = new double[P][P];
        double[] xty = new double[P], row = new double[P];
        for (Subject s : subjects) {
            float[][] in = s.inputs();
            for (int i = 0; i < s.voxels(); i++) {
                if (!MaskStats.inMask(s.mask()[i])) continue;
                row[0] = 1;
                for (int c = 0; c < InputChannels.COUNT; c++) row[c + 1] = in[c][i];
                for (int a = 0; a < P; a++) {
                    xty[a] += row[a] * s.target()[i];
                    for (int b = 0; b <= a; b++) xtx[a][b] += row[a] * row[b];
                }
            }
        }
        for (int a = 0; a < P; a++) for (int b = a + 1; b < P; b++) xtx[a][b] = xtx[b][a];
        return new LinearBaseline(solve(xtx, xty));
    }

    /** Gaussian elimination with partial pivoting; a tiny ridge keeps a degenerate channel from breaking it. */
    static double[] solve(double[][] a, double[] y) {
        int n = y.length;
        double[][] m = new double[n][];
        double[] r = y.clone();
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
            m[i][i] += 1e-9 * Math.max(1, a[i][i]);
        }
        for (int k = 0; k < n; k++) {
            int p = k;
            for (int i = k + 1; i < n; i++) if (Math.abs(m[i][k]) > Math.abs(m[p][k])) p = i;
            double[] t = m[k]; m[k] = m[p]; m[p] = t;
            double tr = r[k]; r[k] = r[p]; r[p] = tr;
            for (int i = k + 1; i < n; i++) {
                double f = m[i][k] / m[k][k];
                for (int j = k; j < n; j++) m[i][j] -= f * m[k][j];
                r[i] -= f * r[k];
            }
        }
        double[] x = new double[n];
        for (int k = n - 1; k >= 0; k--) {
            double s = r[k];
            for (int j = k + 1; j < n; j++) s -= m[k][j] * x[j];
            x[k] = s / m[k][k];
        }
        return x;
    }

    /** The regression's normalized T1w for a subject, × mask. */
    public float[] predict(Subject s) {
        float[] out = new float[s.voxels()];
        float[][] in = s.inputs();
        for (int i = 0; i < out.length; i++) {
            if (!MaskStats.inMask(s.mask()[i])) continue;
            double v = coef[0];
            for (int c = 0; c < InputChannels.COUNT; c++) v += coef[c + 1] * in[c][i];
            out[i] = (float) v;
        }
        return out;
    }

    public double[] coefficients() {
        return coef.clone();
    }
}
