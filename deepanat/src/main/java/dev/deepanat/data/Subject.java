package dev.deepanat.data;

import dev.deepanat.common.UserError;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiHeader;
import dev.deepanat.nifti.NiftiImage;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * One subject ready for the network: the 11 normalized input channels, the mask and, when training or evaluating,
 * the normalized T1w target with the statistics that undo its normalization. Volumes are NIfTI-ordered (x fastest).
 */
public record Subject(String id, int nx, int ny, int nz, NiftiHeader geometry, float[][] inputs, float[] mask,
                      float[] target, MaskStats targetStats) {

    /** Reads {@code <dir>/<id>_diff_*.nii.gz}, the mask and (when not null) the T1w; all must share one grid. */
    public static Subject load(Path dir, String id, Path maskFile, Path t1wFile) {
        NiftiImage maskImg = Nifti.read(maskFile);
        int[] d = maskImg.dims();
        float[] mask = binarize(maskImg.data());
        float[][] inputs = new float[InputChannels.COUNT][];
        for (int c = 0; c < InputChannels.COUNT; c++) {
            Path f = dir.resolve(InputChannels.fileName(id, c));
            float[] v = sameGrid(Nifti.read(f), d, f);
            inputs[c] = InputChannels.normalized(c) ? MaskStats.of(v, mask, f.toString()).normalize(v, mask) : masked(v, mask);
        }
        float[] target = null;
        MaskStats stats = null;
        if (t1wFile != null) {
            float[] t = sameGrid(Nifti.read(t1wFile), d, t1wFile);
            stats = MaskStats.of(t, mask, t1wFile.toString());
            target = stats.normalize(t, mask);
        }
        return new Subject(id, d[0], d[1], d[2], maskImg.header(), inputs, mask, target, stats);
    }

    private static float[] sameGrid(NiftiImage img, int[] d, Path f) {
        int[] e = img.dims();
        if (e.length < 3 || e[0] != d[0] || e[1] != d[1] || e[2] != d[2] || img.nt() != 1)
            throw new UserError(f + ": grid " + Arrays.toString(e) + " differs from the mask's " + Arrays.toString(d));
        for (float v : img.data())
            if (!Float.isFinite(v)) throw new UserError(f + ": contains NaN or infinite values");
        return img.data();
    }

    private static float[] binarize(float[] m) {
        float[] out = new float[m.length];
        for (int i = 0; i < m.length; i++) out[i] = m[i] > 0 ? 1f : 0f;
        return out;
    }

    private static float[] masked(float[] v, float[] mask) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = mask[i] > 0 ? v[i] : 0f;
        return out;
    }

    public int voxels() {
        return nx * ny * nz;
    }
}
