package dev.deepanat.diffusion;

/**
 * A brain mask from the mean b=0 image in the spirit of dipy's {@code median_otsu}: median filter (radius 4,
 * 4 passes), then Otsu's threshold on the filtered image, then — beyond dipy — keep the largest 6-connected
 * component and fill enclosed holes (ventricles are dark on some contrasts; the mask should not have holes).
 */
public final class BrainMask {
    public static final int MEDIAN_RADIUS = 4;
    public static final int PASSES = 4;

    private BrainMask() {}

    public static boolean[] medianOtsu(float[] meanB0, int nx, int ny, int nz) {
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (float v : meanB0) { min = Math.min(min, v); max = Math.max(max, v); }
        boolean[] mask = new boolean[meanB0.length];
        if (!(max > min)) return mask;
        short[] levels = new short[meanB0.length];
        double scale = (MedianFilter3D.LEVELS - 1) / ((double) max - min);
        for (int i = 0; i < levels.length; i++) levels[i] = (short) Math.round((meanB0[i] - min) * scale);
        int r = Math.min(MEDIAN_RADIUS, Math.max(0, Math.min(nx, Math.min(ny, nz)) - 1));
        for (int p = 0; p < PASSES; p++) levels = MedianFilter3D.pass(levels, nx, ny, nz, r);
        int threshold = otsu(levels);
        for (int i = 0; i < mask.length; i++) mask[i] = levels[i] > threshold;
        keepLargestComponent(mask, nx, ny, nz);
        fillHoles(mask, nx, ny, nz);
        return mask;
    }

    /** Otsu's threshold on level values: the level maximising the between-class variance. */
    static int otsu(short[] levels) {
        long[] hist = new long[MedianFilter3D.LEVELS];
        for (short l : levels) hist[l]++;
        double total = levels.length, sumAll = 0;
        for (int i = 0; i < hist.length; i++) sumAll += (double) i * hist[i];
        double wB = 0, sumB = 0, best = -1;
        int threshold = 0;
        for (int t = 0; t < hist.length; t++) {
            wB += hist[t];
            if (wB == 0) continue;
            double wF = total - wB;
            if (wF == 0) break;
            sumB += (double) t * hist[t];
            double mB = sumB / wB, mF = (sumAll - sumB) / wF;
            double between = wB * wF * (mB - mF) * (mB - mF);
            if (between > best) { best = between; threshold = t; }
        }
        return threshold;
    }

    static void keepLargestComponent(boolean[] mask, int nx, int ny, int nz) {
        int[] label = new int[mask.length];
        int[] queue = new int[mask.length];
        int bestLabel = 0, bestSize = 0, next = 0;
        for (int s = 0; s < mask.length; s++) {
            if (!mask[s] || label[s] != 0) continue;
            int size = flood(mask, true, label, ++next, s, queue, nx, ny, nz);
            if (size > bestSize) { bestSize = size; bestLabel = next; }
        }
        for (int i = 0; i < mask.length; i++) mask[i] = label[i] == bestLabel && bestLabel != 0;
    }

    /** Background not 6-connected to the volume border becomes brain. */
    static void fillHoles(boolean[] mask, int nx, int ny, int nz) {
        int[] label = new int[mask.length];
        int[] queue = new int[mask.length];
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++) {
                    boolean border = x == 0 || y == 0 || z == 0 || x == nx - 1 || y == ny - 1 || z == nz - 1;
                    int i = (z * ny + y) * nx + x;
                    if (border && !mask[i] && label[i] == 0) flood(mask, false, label, 1, i, queue, nx, ny, nz);
                }
        for (int i = 0; i < mask.length; i++) if (!mask[i] && label[i] == 0) mask[i] = true;
    }

    private static int flood(boolean[] mask, boolean value, int[] label, int id, int seed, int[] queue, int nx, int ny, int nz) {
        int head = 0, tail = 0;
        queue[tail++] = seed;
        label[seed] = id;
        int slice = nx * ny;
        while (head < tail) {
            int i = queue[head++];
            int x = i % nx, y = (i / nx) % ny, z = i / slice;
            if (x > 0) tail = visit(mask, value, label, id, i - 1, queue, tail);
            if (x < nx - 1) tail = visit(mask, value, label, id, i + 1, queue, tail);
            if (y > 0) tail = visit(mask, value, label, id, i - nx, queue, tail);
            if (y < ny - 1) tail = visit(mask, value, label, id, i + nx, queue, tail);
            if (z > 0) tail = visit(mask, value, label, id, i - slice, queue, tail);
            if (z < nz - 1) tail = visit(mask, value, label, id, i + slice, queue, tail);
        }
        return tail;
    }

    private static int visit(boolean[] mask, boolean value, int[] label, int id, int j, int[] queue, int tail) {
        if (mask[j] == value && label[j] == 0) { label[j] = id; queue[tail++] = j; }
        return tail;
    }

    static int count(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) if (b) n++;
        return n;
    }
}
