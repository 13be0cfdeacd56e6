package dev.deepanat.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;

/**
 * The sum of a vector's lanes in one fixed order: a tree of folds (lane i + lane i + n/2, then + n/4, ...).
 * {@code FloatVector.reduceLanes(ADD)} leaves the order unspecified, and the interpreter and the JIT tiers do add
 * in different orders, so a kernel's result depended on whether the JIT had compiled it yet, which differs from run
 * to run: training with a fixed seed was not bit-reproducible on 2 threads. Rearrange and add are exact lane by lane,
 * so this order holds in every tier.
 */
final class Lanes {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final List<VectorShuffle<Float>> FOLDS = new ArrayList<>();

    static {
        int n = S.length(); // a power of two
        for (int h = n / 2; h >= 1; h /= 2) {
            int half = h;
            FOLDS.add(VectorShuffle.fromOp(S, i -> (i + half) & (n - 1)));
        }
    }

    private Lanes() {}

    static float sum(FloatVector v) {
        for (int i = 0; i < FOLDS.size(); i++) v = v.add(v.rearrange(FOLDS.get(i)));
        return v.lane(0);
    }
}
