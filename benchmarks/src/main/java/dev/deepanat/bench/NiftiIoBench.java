package dev.deepanat.bench;

import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiDatatype;
import dev.deepanat.nifti.NiftiImage;
import dev.deepanat.nifti.NiftiWriteOptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Times NIfTI reading and writing on a realistic volume: a real MR image (or any NIfTI given as the first
 * argument) tiled to dMRI size, written as float32 and int16, .nii and .nii.gz at several gzip levels.
 * Wall-clock I/O with a warm-up run and the best of three; a plain main because the unit is seconds, not nanoseconds.
 * Usage: NiftiIoBench [SOURCE.nii.gz [ZTILE [VOLUMES [DIR]]]]
 */
public final class NiftiIoBench {
    public static void main(String[] args) throws Exception {
        Path src = Path.of(args.length > 0 ? args[0] : "/usr/lib/python3/dist-packages/dipy/data/files/S0_10slices.nii.gz");
        int ztile = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        int nvol = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Path dir = Files.createDirectories(Path.of(args.length > 3 ? args[3] : System.getProperty("java.io.tmpdir"), "nifti-bench"));
        NiftiImage base = Nifti.read(src);
        int nx = base.dims()[0], ny = base.dims()[1], nz = base.dims()[2] * ztile;
        int slab = nx * ny * base.dims()[2];
        float[] v = new float[nx * ny * nz * nvol];
        // Tile the real slices in z and repeat over volumes with a per-volume gain, like diffusion weighting.
        for (int t = 0; t < nvol; t++)
            for (int k = 0; k < ztile; k++) {
                float gain = 1f / (1 + 0.05f * t);
                int at = (t * ztile + k) * slab;
                for (int i = 0; i < slab; i++) v[at + i] = Math.round(base.data()[i] * gain);
            }
        int[] dims = {nx, ny, nz, nvol};
        NiftiImage img = NiftiImage.of(base.header(), dims, v);
        System.out.printf("volume %dx%dx%dx%d = %.1f MB as float32%n", nx, ny, nz, nvol, v.length * 4 / 1e6);
        for (NiftiDatatype type : new NiftiDatatype[] {NiftiDatatype.FLOAT32, NiftiDatatype.INT16}) {
            for (String ext : new String[] {".nii", ".nii.gz"}) {
                int[] levels = ext.equals(".nii") ? new int[] {NiftiWriteOptions.DEFAULT_GZIP_LEVEL} : new int[] {1, 3, 6};
                for (int level : levels) {
                    Path f = dir.resolve("bench-" + type.lowerName() + "-l" + level + ext);
                    NiftiWriteOptions o = NiftiWriteOptions.defaults().withDatatype(type).withGzipLevel(level);
                    double w = best(() -> Nifti.write(f, img, o));
                    double r = best(() -> Nifti.read(f));
                    System.out.printf("%-8s %-7s level %d: write %6.2f s, read %6.2f s, file %7.1f MB%n",
                            type.lowerName(), ext, level, w, r, Files.size(f) / 1e6);
                    Files.delete(f);
                }
            }
        }
    }

    private static double best(Runnable r) {
        r.run();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }
}
