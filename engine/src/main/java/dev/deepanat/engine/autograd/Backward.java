package dev.deepanat.engine.autograd;

import dev.deepanat.engine.Tensor;

/**
 * The backward rule of one recorded op: the gradients of its inputs from its output's. The rule reads what the forward
 * saved through {@link Node#saved(int)} (never a tensor captured from the forward, whose handle may be closed by now)
 * and returns null for an input where {@link Node#needs(int)} is false. Temporaries it makes are freed when it returns.
 */
@FunctionalInterface
public interface Backward {
    Tensor[] apply(Tensor gradOutput, Node node);
}
