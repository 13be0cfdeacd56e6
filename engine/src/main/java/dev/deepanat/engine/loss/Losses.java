package dev.deepanat.engine.loss;

import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.ops.Pointwise;

import java.util.Arrays;

/**
 * The losses DeepAnat trains with, all means over elements. The masked losses follow the original Keras code:
 * mean over every voxel (inside the mask or not) of |pred·w − target·w| (or its square), w broadcast against pred.
 * A loss stays on its device: nothing here reads it back to the host. Its value is checked for NaN and infinity where
 * the caller reads it ({@link LossMeter}), every N steps, not in every call.
 */
public final class Losses {
    /** Keras' epsilon, to which probabilities are clamped in {@link #bce}. */
    public static final float PROB_EPS = 1e-7f;

    private Losses() {}

    public static Tensor maskedL1(Tensor pred, Tensor target, Tensor weight) {
        check("maskedL1", pred, target);
        try (MemoryScope s = MemoryScope.open()) {
            return s.keep(pred.mul(weight).sub(target.mul(weight)).abs().mean());
        }
    }

    public static Tensor maskedL2(Tensor pred, Tensor target, Tensor weight) {
        check("maskedL2", pred, target);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor d = pred.mul(weight).sub(target.mul(weight));
            return s.keep(d.mul(d).mean());
        }
    }

    /** Binary cross-entropy on probabilities p ∈ [0, 1], clamped to [ε, 1 − ε]. */
    public static Tensor bce(Tensor p, Tensor target) {
        check("bce", p, target);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor pc = Pointwise.clamp(p, PROB_EPS, 1 - PROB_EPS);
            Tensor oneMinusT = target.neg().add(1f);
            Tensor ll = target.mul(pc.log()).add(oneMinusT.mul(pc.neg().add(1f).log()));
            return s.keep(ll.mean().neg());
        }
    }

    /** Binary cross-entropy on logits: mean of softplus(x) − x·t, exact and stable for any x. */
    public static Tensor bceWithLogits(Tensor logits, Tensor target) {
        check("bceWithLogits", logits, target);
        try (MemoryScope s = MemoryScope.open()) {
            return s.keep(Pointwise.softplus(logits).sub(logits.mul(target)).mean());
        }
    }

    private static void check(String name, Tensor pred, Tensor target) {
        if (!Arrays.equals(pred.shape(), target.shape()))
            throw new IllegalArgumentException(name + ": prediction " + Shapes.str(pred.shape()) + " and target "
                    + Shapes.str(target.shape()) + " differ in shape");
    }
}
