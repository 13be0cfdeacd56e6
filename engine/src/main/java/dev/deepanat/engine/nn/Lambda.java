package dev.deepanat.engine.nn;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.ops.Pointwise;
import dev.deepanat.engine.ops.Pooling;

import java.util.function.UnaryOperator;

/** A parameter-free layer wrapping a function: activations, pooling, flattening. */
public final class Lambda extends Module {
    private final UnaryOperator<Tensor> f;

    public Lambda(UnaryOperator<Tensor> f) {
        this.f = f;
    }

    public static Lambda relu() { return new Lambda(Pointwise::relu); }
    public static Lambda leakyRelu(float slope) { return new Lambda(x -> Pointwise.leakyRelu(x, slope)); }
    public static Lambda sigmoid() { return new Lambda(Pointwise::sigmoid); }
    public static Lambda flatten() { return new Lambda(Tensor::flatten); }
    public static Lambda maxPool3d(int k) { return new Lambda(x -> Pooling.maxPool3d(x, k)); }
    public static Lambda upsample3d(int f) { return new Lambda(x -> Pooling.upsampleNearest3d(x, f)); }

    @Override
    public Tensor forward(Tensor x) {
        return f.apply(x);
    }
}
