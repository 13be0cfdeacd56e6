package dev.deepanat.diffusion;

import dev.deepanat.engine.Parallel;

/**
 * Fits a tensor in every mask voxel and derives eigenvalues, FA, MD, V1, S0 and the six synthesized DWIs.
 * Work is split in z-slabs over the shared {@link Parallel} pool; each slab owns its fitter and eigen solver, so the voxel loop
 * allocates nothing and threads share only read-only inputs and disjoint slices of the outputs.
 */
public final class DtiMapper {
    private DtiMapper() {}

    /**
     * @param data      4-D DWI, x fastest, then y, z, volume
     * @param mask      nvox booleans
     * @param synthDirs unit directions (flat, 6×3) for the synthesized DWIs
     * @param synthB    b-value (s/mm²) of the synthesized DWIs
     */
    public static DtiMaps run(float[] data, int[] dims, boolean[] mask, TensorDesign design, FitMethod method,
                              double[] synthDirs, double synthB, int threads) {
        final int nx = dims[0], ny = dims[1], nz = dims[2];
        final int slice = nx * ny, nvox = slice * nz;
        DtiMaps out = DtiMaps.allocate(nvox);
        int slab = Math.max(1, nz / (threads * 4)); // several slabs per thread balance uneven brain coverage
        int slabs = (nz + slab - 1) / slab;
        // The process's one pool (shared with the CPU kernels); each slab writes only its own voxels.
        Parallel.forRange(threads, slabs, 1, (lo, hi) -> {
            for (int k = lo; k < hi; k++) {
                int from = k * slab * slice, to = Math.min(nz, (k + 1) * slab) * slice;
                fitRange(data, nvox, mask, design, method, synthDirs, synthB, out, from, to);
            }
        });
        return out;
    }

    private static void fitRange(float[] data, int nvox, boolean[] mask, TensorDesign design, FitMethod method,
                                 double[] dirs, double synthB, DtiMaps out, int from, int to) {
        TensorFitter fitter = new TensorFitter(design, method);
        SymmetricEigen3 eig = new SymmetricEigen3();
        final double[] beta = fitter.beta;
        final double u = TensorDesign.D_UNIT;
        final float[][] syn = out.synthesized();
        for (int v = from; v < to; v++) {
            if (!mask[v]) continue;
            fitter.fit(data, v, nvox);
            double dxx = beta[0] * u, dyy = beta[1] * u, dzz = beta[2] * u, dxy = beta[3] * u, dxz = beta[4] * u, dyz = beta[5] * u;
            double s0 = Math.exp(beta[6]);
            if (!(Double.isFinite(dxx + dyy + dzz + dxy + dxz + dyz) && Double.isFinite(s0))) continue; // leave zeros
            eig.decompose(dxx, dyy, dzz, dxy, dxz, dyz);
            // dipy clips eigenvalues at min_diffusivity = 0 before deriving FA/MD; we follow it.
            double l1 = Math.max(0, eig.values[0]), l2 = Math.max(0, eig.values[1]), l3 = Math.max(0, eig.values[2]);
            out.l1()[v] = (float) l1;
            out.l2()[v] = (float) l2;
            out.l3()[v] = (float) l3;
            out.fa()[v] = (float) TensorMetrics.fa(l1, l2, l3);
            out.md()[v] = (float) TensorMetrics.md(l1, l2, l3);
            out.v1()[v] = (float) eig.vectors[0];
            out.v1()[v + nvox] = (float) eig.vectors[1];
            out.v1()[v + 2 * nvox] = (float) eig.vectors[2];
            out.s0()[v] = (float) s0;
            for (int k = 0; k < 6; k++) {
                double gx = dirs[3 * k], gy = dirs[3 * k + 1], gz = dirs[3 * k + 2];
                double adc = dxx * gx * gx + dyy * gy * gy + dzz * gz * gz
                        + 2 * (dxy * gx * gy + dxz * gx * gz + dyz * gy * gz);
                syn[k][v] = (float) (s0 * Math.exp(-synthB * adc));
            }
        }
    }
}
