package dev.deepanat.phantom;

import dev.deepanat.engine.Parallel;

import java.util.SplittableRandom;

/**
 * Adds Rician noise, |s + σ(n₁ + i n₂)|, in place. Each (slice, volume) has its own generator derived from the
 * seed, so the result is identical whatever the thread scheduling.
 */
public final class RicianNoise {
    private RicianNoise() {}

    public static void apply(float[] data, int n, int volumes, double sigma, long seed) {
        int slice = n * n, nvox = slice * n;
        Parallel.forEach(n, z -> {
            for (int t = 0; t < volumes; t++) {
                SplittableRandom r = new SplittableRandom(SmoothNoise.mix(seed ^ ((long) t << 32 | z)));
                int o = t * nvox + z * slice;
                for (int i = o; i < o + slice; i++) {
                    double re = data[i] + sigma * r.nextGaussian(), im = sigma * r.nextGaussian();
                    data[i] = (float) Math.sqrt(re * re + im * im);
                }
            }
        });
    }
}
