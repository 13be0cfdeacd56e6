package dev.deepanat.nifti;

import dev.deepanat.common.UserError;
import dev.deepanat.engine.Parallel;

import java.util.Arrays;

/**
 * Puts a volume on another image's voxel grid through the two voxel-to-world affines, with the semantics of
 * {@code scipy.ndimage.affine_transform(in, M, offset, order, mode='constant', cval=0, prefilter=True)} for
 * M = inv(A_in)·A_ref, so that results can be checked against (and mixed with) Python pipelines. What 'constant'
 * means there (scipy 1.10.1, checked empirically; ni_interpolation.c and ni_splines.c): an output voxel whose input
 * coordinate lies outside [0, n-1] on any axis is 0, even a hair or half a voxel outside (unlike 'grid-constant');
 * inside, the interpolation reaches past the edge into the mirror-extended image (d c b | a b c d | c b a), and the
 * order-3 B-spline coefficients are computed with the same mirror boundary. All arithmetic is in double, as in scipy.
 * A consequence kept on purpose: a grid that maps onto the input's edge only up to rounding (an image resampled
 * onto its own oblique grid) loses those edge voxels to 0, in scipy too.
 */
public final class Resample {
    /** The pole of the cubic B-spline prefilter, sqrt(3) - 2. */
    private static final double POLE3 = -0.267949192431122706472553658494127633;

    private Resample() {}

    /**
     * {@code in} resampled onto {@code ref}'s grid: ref's first three dims and geometry (qform, sform, pixdim,
     * units), in float32; the dims of {@code in} beyond the third (volumes) are kept, each volume resampled alone.
     * {@code order} is 1 (trilinear) or 3 (cubic B-spline). Throws UserError when the input's affine is singular.
     */
    public static NiftiImage resample(NiftiImage in, NiftiHeader ref, int order) {
        if (order != 1 && order != 3) throw new IllegalArgumentException("interpolation order must be 1 or 3, got " + order);
        double[][] map = voxelMap(in.header(), ref);
        int[] n = in.dims(), rd = NiftiImage.presentDims(ref.shape());
        int[] outDims = n.clone();
        System.arraycopy(rd, 0, outDims, 0, 3);
        long outVoxels = (long) rd[0] * rd[1] * rd[2] * in.nt();
        if (outVoxels > Integer.MAX_VALUE - 8)
            throw new UserError("reference grid " + Arrays.toString(rd) + " times " + in.nt() + " volumes is too many voxels for one array");
        int inVol = n[0] * n[1] * n[2], outVol = rd[0] * rd[1] * rd[2];
        float[] out = new float[(int) outVoxels];
        double[] coef = new double[inVol];
        for (int t = 0; t < in.nt(); t++) {
            for (int i = 0; i < inVol; i++) coef[i] = in.data()[t * inVol + i];
            if (order == 3) prefilter(coef, n);
            interpolate(coef, n, map, order, out, t * outVol, rd);
        }
        return NiftiImage.of(outputHeader(in.header(), ref), outDims, out);
    }

    /** The matrix taking a voxel of {@code ref}'s grid to the voxel coordinate of {@code in}'s: inv(A_in)·A_ref. */
    public static double[][] voxelMap(NiftiHeader in, NiftiHeader ref) {
        double[][] inverse;
        try {
            inverse = Affines.invert(in.affine());
        } catch (IllegalArgumentException e) {
            throw new UserError("the input's voxel-to-world " + e.getMessage());
        }
        return Affines.multiply(inverse, ref.affine());
    }

    /** ref's geometry; with several volumes, the time step, time unit and offset of the input. */
    private static NiftiHeader outputHeader(NiftiHeader in, NiftiHeader ref) {
        if (NiftiImage.presentDims(in.shape()).length == 3) return ref;
        double[] p = ref.pixdim();
        System.arraycopy(in.pixdim(), 4, p, 4, 4);
        return ref.toBuilder().pixdim(p).xyztUnits((ref.xyztUnits() & 0x07) | (in.xyztUnits() & 0x38))
                .toffset(in.toffset()).build();
    }

    /** Every output voxel of one volume, in parallel over z-slices; {@code c} holds samples or spline coefficients. */
    private static void interpolate(double[] c, int[] n, double[][] m, int order, float[] out, int offset, int[] rd) {
        int nx = n[0], ny = n[1], nz = n[2];
        Parallel.forRange(rd[2], 1, (lo, hi) -> {
            int taps = order + 1;
            int[] ix = new int[taps], iy = new int[taps], iz = new int[taps];
            double[] wx = new double[taps], wy = new double[taps], wz = new double[taps];
            for (int k = lo; k < hi; k++)
                for (int j = 0; j < rd[1]; j++)
                    for (int i = 0; i < rd[0]; i++) {
                        // Summed in scipy's order, so that coordinates on an edge fall on the same side.
                        double x = i * m[0][0] + j * m[0][1] + k * m[0][2] + m[0][3];
                        double y = i * m[1][0] + j * m[1][1] + k * m[1][2] + m[1][3];
                        double z = i * m[2][0] + j * m[2][1] + k * m[2][2] + m[2][3];
                        int o = offset + (k * rd[1] + j) * rd[0] + i;
                        if (!(x >= 0 && x <= nx - 1 && y >= 0 && y <= ny - 1 && z >= 0 && z <= nz - 1)) {
                            out[o] = 0; // also NaN coordinates, as in scipy
                            continue;
                        }
                        taps(x, nx, order, ix, wx);
                        taps(y, ny, order, iy, wy);
                        taps(z, nz, order, iz, wz);
                        double v = 0;
                        for (int cz = 0; cz < taps; cz++) {
                            double vy = 0;
                            for (int cy = 0; cy < taps; cy++) {
                                int row = (iz[cz] * ny + iy[cy]) * nx;
                                double vx = 0;
                                for (int cx = 0; cx < taps; cx++) vx += wx[cx] * c[row + ix[cx]];
                                vy += wy[cy] * vx;
                            }
                            v += wz[cz] * vy;
                        }
                        out[o] = (float) v;
                    }
        });
    }

    /** The sample indices (mirrored at the edges) and B-spline weights of coordinate {@code x} along an axis of n. */
    private static void taps(double x, int n, int order, int[] idx, double[] w) {
        double f = Math.floor(x), t = x - f, u = 1 - t;
        int start = (int) f - order / 2;
        if (order == 1) {
            w[0] = u;
        } else { // scipy's get_spline_interpolation_weights, order 3
            w[0] = u * u * u / 6;
            w[1] = (t * t * (t - 2) * 3 + 4) / 6;
            w[2] = (u * u * (u - 2) * 3 + 4) / 6;
        }
        w[order] = 1;
        for (int a = 0; a < order; a++) w[order] -= w[a];
        for (int a = 0; a <= order; a++) idx[a] = mirror(start + a, n);
    }

    /** Whole-sample mirror of an index into [0, n): -1 -> 1, n -> n-2. */
    private static int mirror(int i, int n) {
        if (n <= 1) return 0;
        int s2 = 2 * n - 2;
        if (i < 0) {
            i = s2 * (-i / s2) + i;
            return i <= 1 - n ? i + s2 : -i;
        }
        if (i >= n) {
            i -= s2 * (i / s2);
            return i >= n ? s2 - i : i;
        }
        return i;
    }

    /** Cubic B-spline coefficients in place, axis by axis (separable), lines in parallel. */
    private static void prefilter(double[] c, int[] n) {
        int inner = 1;
        for (int axis = 0; axis < 3; axis++) {
            int len = n[axis], stride = inner, lines = c.length / len;
            if (len > 1)
                Parallel.forEven(lines, 64, (lo, hi) -> {
                    double[] line = new double[len];
                    for (int l = lo; l < hi; l++) {
                        int start = (l / stride) * stride * len + l % stride;
                        for (int i = 0; i < len; i++) line[i] = c[start + i * stride];
                        filterLine(line);
                        for (int i = 0; i < len; i++) c[start + i * stride] = line[i];
                    }
                });
            inner *= len;
        }
    }

    /** scipy's apply_filter for one pole with the mirror boundary (ni_splines.c; Unser et al. 1991). */
    private static void filterLine(double[] c) {
        int n = c.length;
        double z = POLE3, gain = (1 - z) * (1 - 1 / z);
        for (int i = 0; i < n; i++) c[i] *= gain;
        double zn1 = Math.pow(z, n - 1), zi = z, c0 = c[0] + zn1 * c[n - 1];
        for (int i = 1; i < n - 1; i++) {
            c0 += zi * (c[i] + zn1 * c[n - 1 - i]);
            zi *= z;
        }
        c[0] = c0 / (1 - zn1 * zn1);
        for (int i = 1; i < n; i++) c[i] += z * c[i - 1];
        c[n - 1] = (z * c[n - 2] + c[n - 1]) * z / (z * z - 1);
        for (int i = n - 2; i >= 0; i--) c[i] = z * (c[i + 1] - c[i]);
    }
}
