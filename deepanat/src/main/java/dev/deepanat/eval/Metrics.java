package dev.deepanat.eval;

import dev.deepanat.common.UserError;
import dev.deepanat.data.Grid;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiImage;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Agreement of a synthesized image with the reference inside a mask (voxels with mask > 0.5), as DeepAnat reports it:
 * <ul>
 * <li>mse: "on the original's scale": each image standardized by its own in-mask mean and population std, mapped
 * z → (z + 3) / 6, then the mean squared difference (so gain and offset errors do not count);</li>
 * <li>mae: mean absolute difference of the intensities as given;</li>
 * <li>psnr: 10 log10(R² / mean squared intensity difference), R = the reference's max − min in the mask;</li>
 * <li>ssim: skimage's SSIM map of the whole volumes (Gaussian σ 1.5, data range R; see {@link Ssim}) averaged over
 * the mask.</li>
 * </ul>
 */
public record Metrics(double mse, double mae, double psnr, double ssim, long voxels) {

    /** Volumes of nx·ny·nz voxels, x fastest; every voxel of pred and ref must be finite (SSIM looks past the mask). */
    public static Metrics of(float[] pred, float[] ref, float[] mask, int nx, int ny, int nz) {
        long n = (long) nx * ny * nz;
        if (pred.length != n || ref.length != n || mask.length != n)
            throw new IllegalArgumentException("metrics: a " + nx + "x" + ny + "x" + nz + " grid has " + n + " voxels; got "
                    + pred.length + " (prediction), " + ref.length + " (reference) and " + mask.length + " (mask)");
        checkFinite(pred, "prediction");
        checkFinite(ref, "reference");
        Moments p = Moments.of(pred, mask, "prediction"), r = Moments.of(ref, mask, "reference");
        double se = 0, ae = 0, zse = 0;
        for (int i = 0; i < ref.length; i++) {
            if (!(mask[i] > 0.5f)) continue;
            double d = (double) pred[i] - ref[i];
            se += d * d;
            ae += Math.abs(d);
            double dz = ((pred[i] - p.mean) / p.std - (ref[i] - r.mean) / r.std) / 6;  // (zp + 3)/6 − (zr + 3)/6
            zse += dz * dz;
        }
        double range = r.max - r.min;
        double ssim = Ssim.meanInMask(ref, pred, mask, nx, ny, nz, range);
        return new Metrics(zse / p.n, ae / p.n, 10 * Math.log10(range * range / (se / p.n)), ssim, p.n);
    }

    /**
     * Reads and checks three NIfTI volumes and scores pred against ref inside mask. Every problem with the inputs (a
     * file that cannot be read, different grids, NaN, an empty mask, a constant image) is a {@link UserError} naming
     * the file(s).
     */
    public static Metrics ofFiles(Path pred, Path ref, Path mask) {
        NiftiImage p = read(pred), r = read(ref), m = read(mask);
        sameGrid(pred, p, ref, r);
        sameGrid(mask, m, ref, r);
        boolean any = false;
        for (float v : m.data()) if (v > 0.5f) { any = true; break; }
        if (!any) throw new UserError(mask + ": the mask is empty (no voxel > 0.5)");
        try {
            return of(p.data(), r.data(), m.data(), r.nx(), r.ny(), r.nz());
        } catch (IllegalArgumentException e) {
            throw new UserError(pred + " vs " + ref + ": " + e.getMessage(), e);
        }
    }

    /** The values in the order reports list them, for JSON. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ssim", ssim);
        m.put("mae", mae);
        m.put("psnr", psnr);
        m.put("mse", mse);
        m.put("voxels", voxels);
        return m;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "SSIM %.4f  PSNR %.2f dB  MAE %.4g  MSE %.4g  (%d voxels)", ssim, psnr, mae, mse, voxels);
    }

    /** In-mask count, mean, population std (two passes, for accuracy), min and max. */
    private record Moments(long n, double mean, double std, double min, double max) {
        static Moments of(float[] v, float[] mask, String what) {
            long n = 0;
            double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < v.length; i++) {
                if (!(mask[i] > 0.5f)) continue;
                n++;
                sum += v[i];
                min = Math.min(min, v[i]);
                max = Math.max(max, v[i]);
            }
            if (n == 0) throw new IllegalArgumentException("metrics: the mask is empty (no voxel > 0.5)");
            double mean = sum / n, ss = 0;
            for (int i = 0; i < v.length; i++) if (mask[i] > 0.5f) ss += (v[i] - mean) * (v[i] - mean);
            double std = Math.sqrt(ss / n);
            if (!(std > 0))
                throw new IllegalArgumentException("metrics: the " + what + " is constant (" + min + ") inside the mask, so it cannot be standardized");
            return new Moments(n, mean, std, min, max);
        }
    }

    private static void checkFinite(float[] v, String what) {
        int i = firstNonFinite(v);
        if (i >= 0) throw new IllegalArgumentException("metrics: the " + what + " holds " + v[i] + " at voxel " + i);
    }

    private static int firstNonFinite(float[] v) {
        for (int i = 0; i < v.length; i++) if (!Float.isFinite(v[i])) return i;
        return -1;
    }

    private static NiftiImage read(Path file) {
        NiftiImage img = Nifti.read(file);
        if (img.dims().length != 3)
            throw new UserError(file + ": a " + grid(img) + " image; evaluate compares 3D volumes");
        int i = firstNonFinite(img.data());
        if (i >= 0) throw new UserError(file + ": holds " + img.data()[i] + " at voxel " + i + " (x fastest)");
        return img;
    }

    private static void sameGrid(Path a, NiftiImage ia, Path b, NiftiImage ib) {
        if (!Arrays.equals(ia.dims(), ib.dims()))
            throw new UserError(a + " is " + grid(ia) + " but " + b + " is " + grid(ib) + ": the images must share one grid");
        Grid ga = Grid.of(ia), gb = Grid.of(ib);
        if (!ga.sameAs(gb)) // same dims, other placement: voxel i is not the same point in both
            throw new UserError(a + " has affine " + ga + " but " + b + " has " + gb + ": the images must share one grid");
    }

    private static String grid(NiftiImage img) {
        return String.join("x", Arrays.stream(img.dims()).mapToObj(Integer::toString).toList());
    }
}
