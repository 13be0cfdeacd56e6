package dev.deepanat.data;

/**
 * Mean and standard deviation of a volume inside a mask, the normalization DeepAnat applies per channel:
 * (v − mean) / std inside the mask, 0 outside; {@link #denormalize} maps network outputs back to intensities.
 */
public record MaskStats(double mean, double std) {
    public static MaskStats of(float[] v, float[] mask, String what) {
        double s = 0, ss = 0;
        long n = 0;
        for (int i = 0; i < v.length; i++) {
            if (mask[i] <= 0) continue;
            s += v[i];
            ss += (double) v[i] * v[i];
            n++;
        }
        if (n == 0) throw new IllegalArgumentException(what + ": the mask is empty");
        double mean = s / n, var = Math.max(ss / n - mean * mean, 0);
        return new MaskStats(mean, var > 0 ? Math.sqrt(var) : 1);
    }

    public float[] normalize(float[] v, float[] mask) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = mask[i] > 0 ? (float) ((v[i] - mean) / std) : 0f;
        return out;
    }

    public float[] denormalize(float[] v, float[] mask) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = mask[i] > 0 ? (float) (v[i] * std + mean) : 0f;
        return out;
    }
}
