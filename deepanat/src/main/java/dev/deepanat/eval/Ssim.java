package dev.deepanat.eval;

import dev.deepanat.engine.Parallel;

/**
 * The SSIM map of scikit-image 0.19's {@code structural_similarity(ref, pred, gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False, data_range=R)} on whole 3D volumes, averaged over a mask's voxels.
 *
 * <p>skimage filters with {@code scipy.ndimage.gaussian_filter(truncate=3.5, mode='reflect')}: an 11-tap kernel
 * (radius {@code int(3.5·1.5 + 0.5)} = 5), normalized to sum 1, and 'reflect' = half-sample symmetric borders
 * (… c b a | a b c …). Local means, variances and covariance are the filtered a, b, a², b², ab.
 *
 * <p>Two passes, both parallel over z-slices: (1) x then y filtering of the five fields, slice by slice, into five
 * whole volumes (5 doubles a voxel: 146 MB for an HCP grid); (2) z filtering one row at a time, only for rows that
 * hold mask voxels, and the SSIM formula at those voxels. Per-slice sums are added in slice order, so the result
 * does not depend on the thread scheduling.
 */
final class Ssim {
    static final double SIGMA = 1.5, TRUNCATE = 3.5, K1 = 0.01, K2 = 0.03;
    static final int RADIUS = (int) (TRUNCATE * SIGMA + 0.5);
    private static final int FIELDS = 5;

    private Ssim() {}

    /** Mean of the SSIM map over voxels with mask > 0.5, or NaN when there are none. */
    static double meanInMask(float[] ref, float[] pred, float[] mask, int nx, int ny, int nz, double dataRange) {
        int w = 2 * RADIUS + 1;
        if (nx < w || ny < w || nz < w)
            throw new IllegalArgumentException("SSIM needs at least " + w + " voxels along each axis (skimage's window for sigma "
                    + SIGMA + "), the grid is " + nx + "x" + ny + "x" + nz);
        double[] k = kernel();
        int plane = nx * ny;
        double[][] f = new double[FIELDS][ref.length];
        Parallel.forEven(nz, 1, (lo, hi) -> {
            double[][] line = new double[FIELDS][nx + 2 * RADIUS], xs = new double[FIELDS][plane];
            for (int z = lo; z < hi; z++) {
                for (int y = 0; y < ny; y++) {
                    int row = z * plane + y * nx;
                    for (int p = 0; p < nx + 2 * RADIUS; p++) {
                        int i = row + reflect(p - RADIUS, nx);
                        double a = ref[i], b = pred[i];
                        line[0][p] = a; line[1][p] = b; line[2][p] = a * a; line[3][p] = b * b; line[4][p] = a * b;
                    }
                    for (int q = 0; q < FIELDS; q++) {
                        double[] in = line[q], out = xs[q];
                        for (int x = 0; x < nx; x++) {
                            int c = x + RADIUS;
                            double s = k[0] * in[c];
                            for (int j = 1; j <= RADIUS; j++) s += k[j] * (in[c - j] + in[c + j]);
                            out[y * nx + x] = s;
                        }
                    }
                }
                for (int q = 0; q < FIELDS; q++)
                    for (int y = 0; y < ny; y++) smoothAcross(k, xs[q], 0, nx, y, ny, nx, f[q], z * plane + y * nx);
            }
        });
        double c1 = Math.pow(K1 * dataRange, 2), c2 = Math.pow(K2 * dataRange, 2);
        double[] sliceSum = new double[nz];
        long[] sliceCount = new long[nz];
        Parallel.forEven(nz, 1, (lo, hi) -> {
            double[][] r = new double[FIELDS][nx];
            for (int z = lo; z < hi; z++) {
                double sum = 0;
                long n = 0;
                for (int y = 0; y < ny; y++) {
                    int row = z * plane + y * nx;
                    if (!anyInMask(mask, row, nx)) continue;
                    for (int q = 0; q < FIELDS; q++) smoothAcross(k, f[q], y * nx, plane, z, nz, nx, r[q], 0);
                    for (int x = 0; x < nx; x++) {
                        if (!(mask[row + x] > 0.5f)) continue;
                        double ux = r[0][x], uy = r[1][x];
                        double vx = r[2][x] - ux * ux, vy = r[3][x] - uy * uy, vxy = r[4][x] - ux * uy;
                        sum += (2 * ux * uy + c1) * (2 * vxy + c2) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
                        n++;
                    }
                }
                sliceSum[z] = sum;
                sliceCount[z] = n;
            }
        });
        double sum = 0;
        long n = 0;
        for (int z = 0; z < nz; z++) {
            sum += sliceSum[z];
            n += sliceCount[z];
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** scipy's _gaussian_kernel1d: exp(-x²/2σ²) over [-radius, radius], divided by its sum; k[j] is the weight at ±j. */
    static double[] kernel() {
        double[] full = new double[2 * RADIUS + 1];
        double total = 0;
        for (int x = -RADIUS; x <= RADIUS; x++) total += full[x + RADIUS] = Math.exp(-0.5 / (SIGMA * SIGMA) * x * x);
        double[] k = new double[RADIUS + 1];
        for (int j = 0; j <= RADIUS; j++) k[j] = full[RADIUS + j] / total;
        return k;
    }

    /** Index i folded into [0, n) the way scipy's 'reflect' mode extends a line: period 2n, mirrored about the edges. */
    static int reflect(int i, int n) {
        int m = Math.floorMod(i, 2 * n);
        return m < n ? m : 2 * n - 1 - m;
    }

    /**
     * Line i of n along an axis of the given stride (lines of len values starting at base + i·stride) smoothed along
     * that axis into {@code out[at, at + len)}: whole rows at a time, so the inner loops stream.
     */
    private static void smoothAcross(double[] k, double[] in, int base, int stride, int i, int n, int len, double[] out, int at) {
        int c = base + i * stride;
        for (int x = 0; x < len; x++) out[at + x] = k[0] * in[c + x];
        for (int j = 1; j <= RADIUS; j++) {
            int lo = base + reflect(i - j, n) * stride, hi = base + reflect(i + j, n) * stride;
            for (int x = 0; x < len; x++) out[at + x] += k[j] * (in[lo + x] + in[hi + x]);
        }
    }

    private static boolean anyInMask(float[] mask, int from, int n) {
        for (int i = from; i < from + n; i++) if (mask[i] > 0.5f) return true;
        return false;
    }
}
