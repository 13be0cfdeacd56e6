package dev.deepanat.diffusion;

import dev.deepanat.common.UserError;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiImage;

import java.nio.file.Path;
import java.util.Arrays;

/** Loads and validates the DWI, its gradient table and an optional mask, with errors that name the file. */
public final class DwiInput {
    private DwiInput() {}

    public static NiftiImage readDwi(Path dwi) {
        NiftiImage img = Nifti.read(dwi);
        int[] d = img.dims();
        if (d.length != 4 || d[3] < 2)
            throw new UserError(dwi + ": expected a 4-D DWI series, got dimensions " + Arrays.toString(d));
        float[] data = img.data();
        int nvox = d[0] * d[1] * d[2];
        // A NaN would silently poison the fit of its voxel; we refuse the input rather than guess (documented).
        int bad = 0;
        boolean[] seen = new boolean[nvox];
        for (int o = 0; o < data.length; o += nvox)
            for (int v = 0; v < nvox; v++)
                if (!Float.isFinite(data[o + v]) && !seen[v]) { seen[v] = true; bad++; }
        if (bad > 0) throw new UserError(dwi + ": " + bad + " voxels hold NaN or infinite values; fix or mask them out of the DWI first");
        return img;
    }

    public static GradientTable readGradients(Path bval, Path bvec, Path dwi, int volumes) {
        GradientTable g = GradientFiles.read(bval, bvec);
        if (g.count() != volumes)
            throw new UserError(bval + ": " + g.count() + " b-values but " + dwi + " has " + volumes + " volumes");
        return g;
    }

    public static boolean[] readMask(Path mask, int[] dwiDims) {
        NiftiImage m = Nifti.read(mask);
        int[] d = m.dims();
        boolean shapeOk = d.length >= 3 && d[0] == dwiDims[0] && d[1] == dwiDims[1] && d[2] == dwiDims[2]
                && (d.length == 3 || d[3] == 1);
        if (!shapeOk)
            throw new UserError(mask + ": mask shape " + Arrays.toString(d) + " does not match the DWI's "
                    + Arrays.toString(Arrays.copyOf(dwiDims, 3)));
        float[] v = m.data();
        boolean[] out = new boolean[dwiDims[0] * dwiDims[1] * dwiDims[2]];
        int n = 0;
        for (int i = 0; i < out.length; i++) if (v[i] > 0) { out[i] = true; n++; }
        if (n == 0) throw new UserError(mask + ": the mask is empty (no voxel > 0)");
        return out;
    }
}
