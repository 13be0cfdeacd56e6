package dev.deepanat.engine.autograd;

import dev.deepanat.engine.Tensor;

/** The backward rule of one recorded op: the gradients of its inputs (null where not needed) from its output's. */
@FunctionalInterface
public interface Backward {
    Tensor[] apply(Tensor gradOutput);
}
