package dev.deepanat.phantom;

import dev.deepanat.nifti.NiftiHeader;

/**
 * RAS, axis-aligned, isotropic voxels, the grid centred on the scanner origin; qform and sform both set
 * (code 1, scanner) so every reader agrees on it.
 */
final class PhantomGeometry {
    private PhantomGeometry() {}

    static NiftiHeader header(int n, double voxelMm) {
        double o = -(n - 1) / 2.0 * voxelMm;
        return NiftiHeader.defaults(n, n, n).toBuilder()
                .pixdim(new double[]{1, voxelMm, voxelMm, voxelMm, 1, 1, 1, 1})
                .xyztUnits(2 | 8) // mm, seconds
                .qform(1, 0, 0, 0, o, o, o)
                .sform(1, new double[]{voxelMm, 0, 0, o}, new double[]{0, voxelMm, 0, o}, new double[]{0, 0, voxelMm, o})
                .descrip("deepanat phantom")
                .build();
    }
}
