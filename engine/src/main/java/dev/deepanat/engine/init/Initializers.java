package dev.deepanat.engine.init;

import dev.deepanat.engine.Shapes;

/** The Keras initializers DeepAnat's reference models use, drawn from a seeded generator. */
public final class Initializers {
    /** Keras' VarianceScaling divides the truncated normal's std by this, the std of a unit normal truncated at ±2. */
    private static final double TRUNC_STD = 0.87962566103423978;

    private Initializers() {}

    /** he_normal: truncated normal (±2σ) with σ = sqrt(2 / fanIn), as Keras VarianceScaling(2, 'fan_in'). */
    public static Initializer heNormal() {
        return (shape, fanIn, fanOut, rng) -> truncatedNormal(shape, Math.sqrt(2.0 / fanIn) / TRUNC_STD, rng);
    }

    /** glorot_uniform: U(−l, l) with l = sqrt(6 / (fanIn + fanOut)). */
    public static Initializer glorotUniform() {
        return (shape, fanIn, fanOut, rng) -> {
            double limit = Math.sqrt(6.0 / (fanIn + fanOut));
            float[] v = new float[(int) Shapes.numel(shape)];
            for (int i = 0; i < v.length; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * limit);
            return v;
        };
    }

    /** Normal(mean, std), e.g. normal(0, 0.02) for GAN discriminators. */
    public static Initializer normal(double mean, double std) {
        return (shape, fanIn, fanOut, rng) -> {
            float[] v = new float[(int) Shapes.numel(shape)];
            for (int i = 0; i < v.length; i++) v[i] = (float) (mean + std * rng.nextGaussian());
            return v;
        };
    }

    public static Initializer zeros() {
        return (shape, fanIn, fanOut, rng) -> new float[(int) Shapes.numel(shape)];
    }

    public static Initializer constant(float c) {
        return (shape, fanIn, fanOut, rng) -> {
            float[] v = new float[(int) Shapes.numel(shape)];
            java.util.Arrays.fill(v, c);
            return v;
        };
    }

    /** Normal(0, std) redrawn until within ±2·std. */
    static float[] truncatedNormal(int[] shape, double std, java.util.random.RandomGenerator rng) {
        float[] v = new float[(int) Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            double z;
            do z = rng.nextGaussian(); while (Math.abs(z) > 2);
            v[i] = (float) (z * std);
        }
        return v;
    }
}
