package dev.deepanat.engine.loss;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.ops.Pointwise;

import java.util.Arrays;

/**
 * The losses DeepAnat trains with, all means over elements. The masked losses follow the original Keras code:
 * mean over every voxel (inside the mask or not) of |pred·w − target·w| (or its square), w broadcast against pred.
 * A NaN or infinite loss raises an error naming the loss and the shapes, instead of silently poisoning training.
 */
public final class Losses {
    /** Keras' epsilon, to which probabilities are clamped in {@link #bce}. */
    public static final float PROB_EPS = 1e-7f;

    private Losses() {}

    public static Tensor maskedL1(Tensor pred, Tensor target, Tensor weight) {
        check("maskedL1", pred, target);
        return finite("maskedL1", pred.mul(weight).sub(target.mul(weight)).abs().mean(), pred, target);
    }

    public static Tensor maskedL2(Tensor pred, Tensor target, Tensor weight) {
        check("maskedL2", pred, target);
        Tensor d = pred.mul(weight).sub(target.mul(weight));
        return finite("maskedL2", d.mul(d).mean(), pred, target);
    }

    /** Binary cross-entropy on probabilities p ∈ [0, 1], clamped to [ε, 1 − ε]. */
    public static Tensor bce(Tensor p, Tensor target) {
        check("bce", p, target);
        Tensor pc = Pointwise.clamp(p, PROB_EPS, 1 - PROB_EPS);
        Tensor oneMinusT = target.neg().add(1f);
        Tensor ll = target.mul(pc.log()).add(oneMinusT.mul(pc.neg().add(1f).log()));
        return finite("bce", ll.mean().neg(), p, target);
    }

    /** Binary cross-entropy on logits: mean of softplus(x) − x·t, exact and stable for any x. */
    public static Tensor bceWithLogits(Tensor logits, Tensor target) {
        check("bceWithLogits", logits, target);
        return finite("bceWithLogits", Pointwise.softplus(logits).sub(logits.mul(target)).mean(), logits, target);
    }

    private static void check(String name, Tensor pred, Tensor target) {
        if (!Arrays.equals(pred.shape(), target.shape()))
            throw new IllegalArgumentException(name + ": prediction " + Shapes.str(pred.shape()) + " and target "
                    + Shapes.str(target.shape()) + " differ in shape");
    }

    private static Tensor finite(String name, Tensor loss, Tensor pred, Tensor target) {
        float v = loss.item();
        if (!Float.isFinite(v))
            throw new ArithmeticException(name + ": loss is " + v + " for prediction " + Shapes.str(pred.shape())
                    + " and target " + Shapes.str(target.shape()) + " (NaN or infinity in the inputs?)");
        return loss;
    }
}
