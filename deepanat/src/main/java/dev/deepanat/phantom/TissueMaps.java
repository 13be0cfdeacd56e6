package dev.deepanat.phantom;

import dev.deepanat.engine.Parallel;

/**
 * The anatomy sampled on the voxel grid: partial-volume fractions per tissue (from {@code SUB}³ sub-samples per
 * voxel), and the fibre populations at each voxel centre ({@code fibreCount} 0-2, directions flat 6 per voxel).
 */
public record TissueMaps(int n, float[][] fractions, byte[] fibreCount, float[] fibreDirs) {
    static final int SUB = 2;

    public int voxels() { return n * n * n; }

    /** Sum of tissue fractions: the part of the voxel inside the brain. */
    public float brainFraction(int v) {
        float s = 0;
        for (float[] f : fractions) s += f[v];
        return s;
    }

    public static TissueMaps sample(BrainAnatomy anatomy, int n) {
        int nvox = n * n * n;
        float[][] frac = new float[Tissue.COUNT][nvox];
        byte[] count = new byte[nvox];
        float[] dirs = new float[6 * nvox];
        double half = n / 2.0;
        float w = 1f / (SUB * SUB * SUB);
        Parallel.forEach(n, z -> {
            double[] fib = new double[6];
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++) {
                    int v = (z * n + y) * n + x;
                    for (int sz = 0; sz < SUB; sz++)
                        for (int sy = 0; sy < SUB; sy++)
                            for (int sx = 0; sx < SUB; sx++) {
                                double px = (x + (sx + 0.5) / SUB - half) / half;
                                double py = (y + (sy + 0.5) / SUB - half) / half;
                                double pz = (z + (sz + 0.5) / SUB - half) / half;
                                int t = anatomy.tissueAt(px, py, pz);
                                if (t >= 0) frac[t][v] += w;
                            }
                    if (frac[Tissue.WM.ordinal()][v] > 0) {
                        int k = anatomy.fibresAt((x + 0.5 - half) / half, (y + 0.5 - half) / half, (z + 0.5 - half) / half, fib);
                        count[v] = (byte) k;
                        for (int i = 0; i < 3 * k; i++) dirs[6 * v + i] = (float) fib[i];
                    }
                }
        });
        return new TissueMaps(n, frac, count, dirs);
    }
}
