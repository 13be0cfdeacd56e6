package dev.deepanat.data;

/**
 * Copies a b³ block out of a volume (NIfTI order, x fastest) into a dense buffer, optionally mirrored along x, with
 * zeros wherever the block reaches past the volume (the padding {@link BlockGrid} relies on for small brains).
 * One row at a time: a plain copy per row, no per-voxel index arithmetic.
 */
public final class BlockCutter {
    private BlockCutter() {}

    /** dst[off .. off + b³) = the block of src starting at (x0, y0, z0), mirrored in x when {@code flip}. */
    public static void cut(float[] src, Grid g, int x0, int y0, int z0, int b, boolean flip, float[] dst, int off) {
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        int xa = Math.max(0, x0), xb = Math.min(nx, x0 + b); // the x range inside the volume
        for (int z = 0; z < b; z++)
            for (int y = 0; y < b; y++) {
                int row = off + (z * b + y) * b, sz = z0 + z, sy = y0 + y;
                if (sz < 0 || sz >= nz || sy < 0 || sy >= ny || xa >= xb) {
                    java.util.Arrays.fill(dst, row, row + b, 0f);
                    continue;
                }
                int srcRow = (sz * ny + sy) * nx;
                if (!flip) {
                    java.util.Arrays.fill(dst, row, row + (xa - x0), 0f);
                    System.arraycopy(src, srcRow + xa, dst, row + (xa - x0), xb - xa);
                    java.util.Arrays.fill(dst, row + (xb - x0), row + b, 0f);
                } else {
                    for (int x = 0; x < b; x++) {
                        int sx = x0 + b - 1 - x;
                        dst[row + x] = sx >= 0 && sx < nx ? src[srcRow + sx] : 0f;
                    }
                }
            }
    }

    /** The inverse for predictions: adds block values (cropped to [c0, c1) per axis) into acc, counting in hits. */
    public static void accumulate(float[] block, int b, int x0, int y0, int z0, int[] c0, int[] c1, Grid g, float[] acc, float[] hits) {
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        for (int z = Math.max(c0[2], -z0); z < Math.min(c1[2], nz - z0); z++)
            for (int y = Math.max(c0[1], -y0); y < Math.min(c1[1], ny - y0); y++) {
                int src = (z * b + y) * b, dst = ((z0 + z) * ny + y0 + y) * nx + x0;
                for (int x = Math.max(c0[0], -x0); x < Math.min(c1[0], nx - x0); x++) {
                    acc[dst + x] += block[src + x];
                    hits[dst + x] += 1;
                }
            }
    }
}
