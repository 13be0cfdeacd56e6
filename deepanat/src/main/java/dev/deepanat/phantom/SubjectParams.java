package dev.deepanat.phantom;

import java.util.SplittableRandom;

/**
 * Everything that differs between phantom subjects, drawn from (seed, subject). Lengths are in "brain
 * coordinates" (the nominal brain ellipsoid has semi-axes {@code ax, ay, az} in units of half the field of view);
 * diffusivities in mm²/s; signals in arbitrary scanner units.
 */
public record SubjectParams(
        double ax, double ay, double az,
        long shapeSeed, double gyralFrequency, double sulcalDepth, double sulcalWidth, double cortexThickness,
        double ventricleScale,
        double wmAxial, double wmRadial, double gmDiffusivity, double deepGmDiffusivity, double csfDiffusivity,
        double s0Wm, double s0Gm, double s0DeepGm, double s0Csf, double snr,
        double t1Wm, double t1Gm, double t1DeepGm, double t1Csf, double t1Bias, double t1NoiseFraction) {

    public static SubjectParams draw(long seed, int subject) {
        SplittableRandom r = new SplittableRandom(SmoothNoise.mix(seed * 1_000_003L + subject));
        return new SubjectParams(
                0.74 * jitter(r, 0.06), 0.90 * jitter(r, 0.05), 0.70 * jitter(r, 0.06),
                r.nextLong(), 5.5 * jitter(r, 0.12), 0.24 * jitter(r, 0.15), 0.10 * jitter(r, 0.1), 0.07 * jitter(r, 0.1),
                jitter(r, 0.25),
                1.7e-3 * jitter(r, 0.05), 0.35e-3 * jitter(r, 0.10), 0.85e-3 * jitter(r, 0.05), 0.75e-3 * jitter(r, 0.05), 3.0e-3,
                700 * jitter(r, 0.05), 900 * jitter(r, 0.05), 820 * jitter(r, 0.05), 1800 * jitter(r, 0.05), 20 + 10 * r.nextDouble(),
                1000 * jitter(r, 0.03), 620 * jitter(r, 0.07), 760 * jitter(r, 0.06), 180 * jitter(r, 0.15), 0.08 + 0.07 * r.nextDouble(),
                0.015 + 0.01 * r.nextDouble());
    }

    private static double jitter(SplittableRandom r, double rel) { return 1 + rel * (2 * r.nextDouble() - 1); }
}
