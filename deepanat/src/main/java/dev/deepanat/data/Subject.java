package dev.deepanat.data;

import dev.deepanat.common.UserError;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiHeader;
import dev.deepanat.nifti.NiftiImage;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One subject ready for the network: the 11 input channels normalized in the mask (the eigenvalues kept raw), the
 * binary mask and, when a T1w is given, the normalized T1w target with the statistics that undo its normalization.
 * Every channel is multiplied by the mask, in training and in prediction alike. Volumes are NIfTI-ordered (x fastest).
 */
public record Subject(String id, Grid grid, NiftiHeader geometry, float[][] inputs, float[] mask,
                      float[] target, MaskStats targetStats) {

    /** The subject folder's inputs and mask, and its T1w when {@code withT1w}. */
    public static Subject load(SubjectLayout files, boolean withT1w) {
        return load(files, withT1w ? files.t1w() : null);
    }

    /** As {@link #load(SubjectLayout, boolean)} with the T1w read from {@code t1wFile} (none when null). */
    public static Subject load(SubjectLayout files, Path t1wFile) {
        Path maskFile = files.mask();
        NiftiImage maskImg = read(maskFile, "the brain mask");
        if (maskImg.nt() != 1) throw new UserError(maskFile + ": has " + maskImg.nt() + " volumes; one 3D mask expected");
        Grid grid = Grid.of(maskImg);
        float[] mask = binarize(maskImg.data());
        int inMask = 0;
        for (float m : mask) inMask += (int) m;
        if (inMask == 0) throw new UserError(maskFile + ": the mask is empty (no voxel > 0.5)");
        float[][] inputs = new float[InputChannels.COUNT][];
        for (int c = 0; c < InputChannels.COUNT; c++) {
            Path f = files.channel(c);
            float[] v = onGrid(read(f, "input channel " + InputChannels.SUFFIXES.get(c)), grid, f, maskFile);
            inputs[c] = InputChannels.normalized(c) ? MaskStats.of(v, mask, f.toString()).normalize(v, mask) : eigenvalues(v, mask, f);
        }
        float[] target = null;
        MaskStats stats = null;
        if (t1wFile != null) {
            float[] t = onGrid(read(t1wFile, "the T1w"), grid, t1wFile, maskFile);
            stats = MaskStats.of(t, mask, t1wFile.toString());
            target = stats.normalize(t, mask);
        }
        return new Subject(files.id(), grid, maskImg.header(), inputs, mask, target, stats);
    }

    private static NiftiImage read(Path f, String what) {
        if (!Files.exists(f)) throw new UserError(f + ": missing (" + what + ")");
        return Nifti.read(f);
    }

    /** The image's voxels, after checking it is one finite 3D volume on the mask's grid. */
    static float[] onGrid(NiftiImage img, Grid grid, Path f, Path maskFile) {
        if (img.nt() != 1) throw new UserError(f + ": has " + img.nt() + " volumes; one 3D volume expected");
        Grid g = Grid.of(img);
        if (!g.sameAs(grid))
            throw new UserError(f + ": grid " + g + " differs from the mask's " + grid + " (" + maskFile.getFileName()
                    + "); put it on the diffusion grid with 'deepanat resample'");
        float[] v = img.data();
        for (int i = 0; i < v.length; i++)
            if (!Float.isFinite(v[i])) throw new UserError(f + ": contains NaN or infinite values (first at voxel " + i + ")");
        return v;
    }

    private static float[] binarize(float[] m) {
        float[] out = new float[m.length];
        for (int i = 0; i < m.length; i++) out[i] = MaskStats.inMask(m[i]) ? 1f : 0f;
        return out;
    }

    /** An eigenvalue map in mm²/s, × mask, in µm²/ms; a map in other units (mean outside 1e-5..0.01 mm²/s) is refused. */
    private static float[] eigenvalues(float[] v, float[] mask, Path f) {
        float[] out = new float[v.length];
        double sum = 0;
        long n = 0;
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * mask[i] * InputChannels.EIGENVALUE_SCALE;
            if (mask[i] > 0) { sum += v[i]; n++; }
        }
        double mean = sum / n;
        if (!(mean > 1e-5 && mean < 1e-2))
            throw new UserError(f + ": mean eigenvalue in the mask is " + (float) mean + "; expected mm²/s (about 1e-3 in brain), as prepare writes");
        return out;
    }

    public int nx() { return grid.nx(); }
    public int ny() { return grid.ny(); }
    public int nz() { return grid.nz(); }
    public int voxels() { return grid.voxels(); }

    public boolean hasTarget() {
        return target != null;
    }
}
