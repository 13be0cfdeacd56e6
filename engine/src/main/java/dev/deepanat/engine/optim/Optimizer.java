package dev.deepanat.engine.optim;

import dev.deepanat.engine.Tensor;

import java.util.List;

/** Updates parameters in place from their gradients; parameters without a gradient are left alone. */
public interface Optimizer {
    void step();

    List<Tensor> parameters();

    default void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }
}
