package dev.deepanat.diffusion;

/**
 * Fits one voxel at a time with OLS or WLS on the log signal. One instance per thread: all scratch arrays are
 * fields, so the per-voxel path allocates nothing.
 * <p>Like dipy's {@code TensorModel}, signals below {@link #MIN_SIGNAL} (including zero and negative values)
 * are clamped to it before the logarithm. WLS follows dipy's {@code wls_fit_tensor}: weights w_i = exp(x_iᵀβ_OLS)
 * (the OLS-predicted signal), minimising Σ w_i² (x_iᵀβ − ln s_i)²; dipy solves it through pinv(diag(w)X),
 * we through the 7×7 normal equations, which give the same β when X has full rank.
 */
public final class TensorFitter {
    /** dipy's MIN_POSITIVE_SIGNAL. */
    public static final double MIN_SIGNAL = 1e-4;

    private final TensorDesign design;
    private final FitMethod method;
    private final double[] logS;
    private final double[] w2;
    private final double[] normal = new double[TensorDesign.P * TensorDesign.P];
    private final double[] chol = new double[TensorDesign.P * TensorDesign.P];
    /** The fitted parameters: Dxx, Dyy, Dzz, Dxy, Dxz, Dyz (1e-3 mm²/s), ln S0. */
    public final double[] beta = new double[TensorDesign.P];

    public TensorFitter(TensorDesign design, FitMethod method) {
        this.design = design;
        this.method = method;
        this.logS = new double[design.m];
        this.w2 = new double[design.m];
    }

    /**
     * Fits the voxel whose signal for volume t is {@code data[voxel + t * volumeStride]}.
     * @return false when the weighted system is singular (beta then holds the OLS solution)
     */
    public boolean fit(float[] data, int voxel, int volumeStride) {
        final int m = design.m, P = TensorDesign.P;
        final int[] idx = design.indices;
        for (int r = 0; r < m; r++) {
            double s = data[voxel + idx[r] * volumeStride];
            logS[r] = Math.log(s > MIN_SIGNAL ? s : MIN_SIGNAL);
        }
        final double[] pinv = design.pinv;
        for (int a = 0; a < P; a++) {
            double acc = 0;
            int o = a * m;
            for (int r = 0; r < m; r++) acc += pinv[o + r] * logS[r];
            beta[a] = acc;
        }
        if (method == FitMethod.OLS) return true;

        final double[] x = design.x;
        java.util.Arrays.fill(normal, 0);
        for (int r = 0; r < m; r++) {
            int o = r * P;
            double pred = 0;
            for (int a = 0; a < P; a++) pred += x[o + a] * beta[a];
            double w = Math.exp(pred);
            w2[r] = w * w;
        }
        // Normal equations XᵀW²X (lower triangle) and XᵀW²y, accumulated row by row.
        double r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0;
        for (int r = 0; r < m; r++) {
            int o = r * P;
            double ww = w2[r], wy = ww * logS[r];
            for (int a = 0; a < P; a++) {
                double xa = ww * x[o + a];
                int na = a * P;
                for (int b = 0; b <= a; b++) normal[na + b] += xa * x[o + b];
            }
            r0 += wy * x[o]; r1 += wy * x[o + 1]; r2 += wy * x[o + 2]; r3 += wy * x[o + 3];
            r4 += wy * x[o + 4]; r5 += wy * x[o + 5]; r6 += wy;
        }
        for (int a = 0; a < P; a++) for (int b = a + 1; b < P; b++) normal[a * P + b] = normal[b * P + a];
        if (!Cholesky7.factor(normal, chol)) return false;
        beta[0] = r0; beta[1] = r1; beta[2] = r2; beta[3] = r3; beta[4] = r4; beta[5] = r5; beta[6] = r6;
        Cholesky7.solve(chol, beta);
        return true;
    }
}
