package dev.deepanat.engine.ops;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.BinaryOp;

/** add, sub, mul, div with numpy broadcasting; gradients are summed back to each operand's shape. */
public final class Elementwise {
    private Elementwise() {}

    private static Tensor apply(String name, BinaryOp op, Tensor a, Tensor b) {
        Backend be = OpSupport.sameBackend(name, a, b);
        int[] shape = Shapes.broadcast(name, a.shape(), b.shape());
        Tensor out = OpSupport.empty(be, shape);
        be.binary(op, a.broadcastView(shape), b.broadcastView(shape), out.storage());
        return out;
    }

    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = apply("add", BinaryOp.ADD, a, b);
        int[] as = a.shape(), bs = b.shape();
        return Autograd.record("add", out, g -> new Tensor[] {Reductions.sumTo(g, as), Reductions.sumTo(g, bs)}, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = apply("sub", BinaryOp.SUB, a, b);
        int[] as = a.shape(), bs = b.shape();
        boolean needB = b.requiresGrad();
        return Autograd.record("sub", out, g -> new Tensor[] {
                Reductions.sumTo(g, as), needB ? Reductions.sumTo(g.neg(), bs) : null}, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = apply("mul", BinaryOp.MUL, a, b);
        return Autograd.record("mul", out, g -> new Tensor[] {
                a.requiresGrad() ? Reductions.sumTo(mul(g, b), a.shape()) : null,
                b.requiresGrad() ? Reductions.sumTo(mul(g, a), b.shape()) : null}, a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = apply("div", BinaryOp.DIV, a, b);
        return Autograd.record("div", out, g -> new Tensor[] {
                a.requiresGrad() ? Reductions.sumTo(div(g, b), a.shape()) : null,
                // d(a/b)/db = −a/b² = −out/b
                b.requiresGrad() ? Reductions.sumTo(mul(g, div(out, b)).neg(), b.shape()) : null}, a, b);
    }
}
