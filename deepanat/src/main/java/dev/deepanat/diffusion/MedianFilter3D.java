package dev.deepanat.diffusion;

/**
 * Cubic (2r+1)³ median filter on a volume quantised to {@link #LEVELS} grey levels, with a sliding histogram
 * along x (Huang's algorithm): each step adds and removes one (2r+1)² plane, so radius 4 costs ~160 histogram
 * updates per voxel instead of sorting 729 values. Boundaries are mirrored like scipy.ndimage's default 'reflect'.
 * The median commutes with the monotone quantisation, so filtering levels equals quantising the median.
 */
final class MedianFilter3D {
    static final int LEVELS = 4096;

    private MedianFilter3D() {}

    /** One pass over level images (values 0..LEVELS-1). */
    static short[] pass(short[] in, int nx, int ny, int nz, int r) {
        short[] out = new short[in.length];
        int w = 2 * r + 1, count = w * w * w, rank = count / 2; // 0-based rank of the median
        int[] hist = new int[LEVELS];
        int[] mx = reflectTable(nx, r), my = reflectTable(ny, r), mz = reflectTable(nz, r);
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++) {
                java.util.Arrays.fill(hist, 0);
                for (int dz = -r; dz <= r; dz++)
                    for (int dy = -r; dy <= r; dy++) {
                        int base = (mz[z + dz + r] * ny + my[y + dy + r]) * nx;
                        for (int dx = -r; dx <= r; dx++) hist[in[base + mx[dx + r]]]++;
                    }
                int med = 0, below = 0; // below = number of samples with level < med
                while (below + hist[med] <= rank) below += hist[med++];
                out[(z * ny + y) * nx] = (short) med;
                for (int x = 1; x < nx; x++) {
                    int xOut = mx[x - 1 - r + r], xIn = mx[x + r + r];
                    for (int dz = -r; dz <= r; dz++)
                        for (int dy = -r; dy <= r; dy++) {
                            int base = (mz[z + dz + r] * ny + my[y + dy + r]) * nx;
                            int lo = in[base + xOut], hi = in[base + xIn];
                            hist[lo]--;
                            if (lo < med) below--;
                            hist[hi]++;
                            if (hi < med) below++;
                        }
                    while (below > rank) below -= hist[--med];
                    while (below + hist[med] <= rank) below += hist[med++];
                    out[(z * ny + y) * nx + x] = (short) med;
                }
            }
        return out;
    }

    /** table[i + r] = mirrored index of i for i in [-r, n-1+r]: (d c b a | a b c d | d c b a). */
    private static int[] reflectTable(int n, int r) {
        int[] t = new int[n + 2 * r];
        for (int i = -r; i < n + r; i++) {
            int j = i;
            while (j < 0 || j >= n) j = j < 0 ? -j - 1 : 2 * n - j - 1;
            t[i + r] = j;
        }
        return t;
    }
}
