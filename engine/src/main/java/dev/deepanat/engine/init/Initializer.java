package dev.deepanat.engine.init;

import java.util.random.RandomGenerator;

/** Fills a new parameter of the given shape; fanIn/fanOut as Keras computes them (receptive field × channels). */
@FunctionalInterface
public interface Initializer {
    float[] values(int[] shape, int fanIn, int fanOut, RandomGenerator rng);
}
