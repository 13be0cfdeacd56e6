package dev.deepanat.diffusion;

import dev.deepanat.common.UserError;

/**
 * The linear model ln S_i = ln S0 − b_i g_iᵀ D g_i for the volumes {@code indices}, as a row-major m×7 matrix.
 * Columns: Dxx, Dyy, Dzz, Dxy, Dxz, Dyz (in units of 1e-3 mm²/s, i.e. b is divided by 1000 so that all columns
 * are O(1) and the normal equations stay well conditioned), then ln S0.
 * Also holds the OLS pseudo-inverse (XᵀX)⁻¹Xᵀ, computed once and shared read-only by all threads.
 */
public final class TensorDesign {
    public static final int P = 7;
    /** Multiply fitted tensor elements by this to get mm²/s. */
    public static final double D_UNIT = 1e-3;

    final int m;
    final int[] indices;
    final double[] x;      // m × 7
    final double[] pinv;   // 7 × m

    public TensorDesign(GradientTable g, int[] indices) {
        this.m = indices.length;
        this.indices = indices.clone();
        this.x = new double[m * P];
        for (int r = 0; r < m; r++) {
            int i = indices[r];
            double bs = g.b(i) * D_UNIT, gx = g.gx(i), gy = g.gy(i), gz = g.gz(i);
            int o = r * P;
            x[o] = -bs * gx * gx;
            x[o + 1] = -bs * gy * gy;
            x[o + 2] = -bs * gz * gz;
            x[o + 3] = -2 * bs * gx * gy;
            x[o + 4] = -2 * bs * gx * gz;
            x[o + 5] = -2 * bs * gy * gz;
            x[o + 6] = 1;
        }
        double[] xtx = new double[P * P];
        for (int r = 0; r < m; r++)
            for (int a = 0; a < P; a++)
                for (int b = 0; b < P; b++) xtx[a * P + b] += x[r * P + a] * x[r * P + b];
        double[] chol = new double[P * P];
        if (!Cholesky7.factor(xtx, chol))
            throw new UserError("the gradient directions of the selected volumes do not determine a tensor (need 6 non-coplanar directions)");
        this.pinv = new double[P * m];
        double[] col = new double[P];
        for (int r = 0; r < m; r++) {
            System.arraycopy(x, r * P, col, 0, P);
            Cholesky7.solve(chol, col);
            for (int a = 0; a < P; a++) pinv[a * m + r] = col[a];
        }
    }

    public int rows() { return m; }

    public int[] indices() { return indices.clone(); }
}
