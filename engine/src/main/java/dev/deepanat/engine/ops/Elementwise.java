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
        return Autograd.op("add", out, a, b).backward((g, n) -> new Tensor[] {
                n.needs(0) ? Reductions.sumTo(g, as) : null, n.needs(1) ? Reductions.sumTo(g, bs) : null});
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = apply("sub", BinaryOp.SUB, a, b);
        int[] as = a.shape(), bs = b.shape();
        return Autograd.op("sub", out, a, b).backward((g, n) -> new Tensor[] {
                n.needs(0) ? Reductions.sumTo(g, as) : null, n.needs(1) ? Reductions.sumTo(g.neg(), bs) : null});
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = apply("mul", BinaryOp.MUL, a, b);
        int[] as = a.shape(), bs = b.shape();
        // d(ab)/da = b and d(ab)/db = a: each operand is kept only when the other one's gradient is wanted.
        return Autograd.op("mul", out, a, b).save(b.requiresGrad() ? a : null, a.requiresGrad() ? b : null).backward((g, n) -> new Tensor[] {
                n.needs(0) ? Reductions.sumTo(mul(g, n.saved(1)), as) : null,
                n.needs(1) ? Reductions.sumTo(mul(g, n.saved(0)), bs) : null});
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = apply("div", BinaryOp.DIV, a, b);
        int[] as = a.shape(), bs = b.shape();
        return Autograd.op("div", out, a, b).save(b, b.requiresGrad() ? out : null).backward((g, n) -> new Tensor[] {
                n.needs(0) ? Reductions.sumTo(div(g, n.saved(0)), as) : null,
                // d(a/b)/db = −a/b² = −out/b
                n.needs(1) ? Reductions.sumTo(mul(g, div(n.saved(1), n.saved(0))).neg(), bs) : null});
    }
}
