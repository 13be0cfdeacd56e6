package dev.deepanat.data;

import dev.deepanat.common.UserError;

/**
 * Mean and population standard deviation of a volume over the voxels where mask > 0.5, DeepAnat's per-subject,
 * per-channel normalization: (v − mean) / std, then × mask. {@link #denormalize} maps network outputs back.
 */
public record MaskStats(double mean, double std) {
    /** The mask rule of the original: a voxel is in the brain when mask > 0.5. */
    public static boolean inMask(float m) {
        return m > 0.5f;
    }

    /** @param what the file the volume came from, named by the error for an empty mask or a constant volume */
    public static MaskStats of(float[] v, float[] mask, String what) {
        double s = 0;
        long n = 0;
        for (int i = 0; i < v.length; i++) {
            if (!inMask(mask[i])) continue;
            s += v[i];
            n++;
        }
        if (n == 0) throw new UserError(what + ": the mask is empty");
        double mean = s / n, ss = 0;
        for (int i = 0; i < v.length; i++) {
            if (!inMask(mask[i])) continue;
            double d = v[i] - mean; // two passes: no cancellation for large intensities
            ss += d * d;
        }
        double std = Math.sqrt(ss / n);
        if (!(std > 1e-12 * Math.max(1, Math.abs(mean))))
            throw new UserError(what + ": constant inside the mask (" + (float) mean + "); it cannot be normalized");
        return new MaskStats(mean, std);
    }

    public float[] normalize(float[] v, float[] mask) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = inMask(mask[i]) ? (float) ((v[i] - mean) / std) : 0f;
        return out;
    }

    public float[] denormalize(float[] v, float[] mask) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = inMask(mask[i]) ? (float) (v[i] * std + mean) : 0f;
        return out;
    }
}
