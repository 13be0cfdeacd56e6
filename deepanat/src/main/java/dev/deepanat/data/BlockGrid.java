package dev.deepanat.data;

import dev.deepanat.common.UserError;

/**
 * The original's block grid over a subject's brain. Per axis: the brain's bounding box [lo, hi] (mask > 0.5);
 * n = ceil((hi − lo + 1) / B) + pad block starts, evenly spaced: round(linspace(lo, hi − B + 1, n)), rounding half to
 * even as numpy does (pad = 1 for training, 5 for prediction). Duplicate starts are kept, as in the original. Where the
 * brain is narrower than a block along an axis (the original then makes starts run backwards), one block is centred
 * on the brain instead and the volume is zero-padded around it: a start may then be negative or a block may end past
 * the volume, and {@link BlockCutter} fills what lies outside with zeros.
 */
public record BlockGrid(int block, int[] xs, int[] ys, int[] zs) {
    public static final int TRAINING_PAD = 1, PREDICTION_PAD = 5;

    public static BlockGrid of(float[] mask, Grid g, int block, int pad, String subject) {
        int[] lo = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE}, hi = {-1, -1, -1};
        int i = 0;
        for (int z = 0; z < g.nz(); z++)
            for (int y = 0; y < g.ny(); y++)
                for (int x = 0; x < g.nx(); x++, i++) {
                    if (!MaskStats.inMask(mask[i])) continue;
                    lo[0] = Math.min(lo[0], x); hi[0] = Math.max(hi[0], x);
                    lo[1] = Math.min(lo[1], y); hi[1] = Math.max(hi[1], y);
                    lo[2] = Math.min(lo[2], z); hi[2] = Math.max(hi[2], z);
                }
        if (hi[0] < 0) throw new UserError(subject + ": the mask is empty; no blocks to cut");
        return new BlockGrid(block, axisStarts(lo[0], hi[0], block, pad), axisStarts(lo[1], hi[1], block, pad),
                axisStarts(lo[2], hi[2], block, pad));
    }

    /** The starts along one axis for the brain's extent [lo, hi]. */
    public static int[] axisStarts(int lo, int hi, int block, int pad) {
        if (block < 1 || pad < 0 || hi < lo) throw new IllegalArgumentException("axisStarts: lo " + lo + " hi " + hi + " block " + block + " pad " + pad);
        int extent = hi - lo + 1;
        if (extent < block) return new int[] {lo - (block - extent) / 2};
        int n = (extent + block - 1) / block + pad, stop = hi - block + 1;
        int[] s = new int[n];
        // numpy's linspace: start + k * ((stop - start) / (n - 1)), the last point exactly stop; np.round is half-even.
        double step = n > 1 ? (double) (stop - lo) / (n - 1) : 0;
        for (int k = 0; k < n; k++) s[k] = (int) Math.rint(k * step + lo);
        s[n - 1] = n > 1 ? stop : lo;
        return s;
    }

    public int count() {
        return xs.length * ys.length * zs.length;
    }

    /** Block k's start {x, y, z}, k in [0, count()), x fastest. */
    public int[] start(int k) {
        return new int[] {xs[k % xs.length], ys[k / xs.length % ys.length], zs[k / (xs.length * ys.length)]};
    }
}
