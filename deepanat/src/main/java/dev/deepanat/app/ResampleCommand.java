package dev.deepanat.app;

import dev.deepanat.common.UserError;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiHeader;
import dev.deepanat.nifti.NiftiImage;
import dev.deepanat.nifti.Resample;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code deepanat resample IN --like REF --out OUT}: IN on REF's voxel grid, through both affines ({@link Resample}). */
@Command(name = "resample", mixinStandardHelpOptions = true,
        description = "Resample a NIfTI volume onto another image's voxel grid (its dims and affine), as scipy.ndimage.affine_transform "
                + "with mode='constant', cval=0; voxels outside the input become 0. Output is float32, written atomically; "
                + "a 4D input is resampled volume by volume.")
public final class ResampleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "the image to resample (.nii, .nii.gz or .hdr/.img)")
    Path in;

    @Option(names = "--like", required = true, paramLabel = "REF", description = "the image whose grid and geometry the output takes (only its header is read)")
    Path like;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "output .nii or .nii.gz")
    Path out;

    @Option(names = "--order", paramLabel = "K", defaultValue = "1",
            description = "interpolation: 1 trilinear, 3 cubic B-spline (default ${DEFAULT-VALUE})")
    int order;

    @Override
    public Integer call() {
        if (order != 1 && order != 3) throw new UserError("--order " + order + ": must be 1 (trilinear) or 3 (cubic B-spline)");
        NiftiHeader ref = Nifti.readHeader(like);
        NiftiImage image = Nifti.read(in);
        NiftiImage result;
        try {
            result = Resample.resample(image, ref, order);
        } catch (UserError e) {
            throw new UserError(in + ": " + e.getMessage(), e);
        }
        Nifti.write(out, result);
        return 0;
    }
}
