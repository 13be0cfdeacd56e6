package dev.deepanat.engine.ops;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.UnaryOp;

/** Elementwise functions of one tensor, each with its derivative beside it and what it saves for it. */
public final class Pointwise {
    private Pointwise() {}

    /** y = op(x; a, b) on a dense copy of x, without recording. */
    static Tensor map(String name, UnaryOp op, float a, float b, Tensor x) {
        x.requireOpen(name);
        Tensor xc = x.contiguous();
        Tensor out = OpSupport.empty(x.backend(), x.shape());
        x.backend().unary(op, a, b, xc.storage(), out.storage(), out.numel());
        OpSupport.closeTemp(xc, x);
        return out;
    }

    static Tensor map(String name, UnaryOp op, Tensor x) {
        return map(name, op, 0f, 0f, x);
    }

    public static Tensor neg(Tensor x) {
        return Autograd.op("neg", map("neg", UnaryOp.NEG, x), x).backward((g, n) -> new Tensor[] {map("neg", UnaryOp.NEG, g)});
    }

    public static Tensor addScalar(Tensor x, float s) {
        return Autograd.op("addScalar", map("addScalar", UnaryOp.ADD_SCALAR, s, 0, x), x).backward((g, n) -> new Tensor[] {g});
    }

    public static Tensor mulScalar(Tensor x, float s) {
        return Autograd.op("mulScalar", map("mulScalar", UnaryOp.MUL_SCALAR, s, 0, x), x)
                .backward((g, n) -> new Tensor[] {mulScalar(g, s)});
    }

    public static Tensor exp(Tensor x) {
        Tensor y = map("exp", UnaryOp.EXP, x);
        return Autograd.op("exp", y, x).save(y).backward((g, n) -> new Tensor[] {g.mul(n.saved(0))});
    }

    public static Tensor log(Tensor x) {
        return Autograd.op("log", map("log", UnaryOp.LOG, x), x).save(x).backward((g, n) -> new Tensor[] {g.div(n.saved(0))});
    }

    public static Tensor abs(Tensor x) {
        return Autograd.op("abs", map("abs", UnaryOp.ABS, x), x).save(x)
                .backward((g, n) -> new Tensor[] {g.mul(map("abs", UnaryOp.SIGN, n.saved(0)))});
    }

    public static Tensor sqrt(Tensor x) {
        Tensor y = map("sqrt", UnaryOp.SQRT, x);
        return Autograd.op("sqrt", y, x).save(y).backward((g, n) -> new Tensor[] {g.div(n.saved(0)).mul(0.5f)});
    }

    public static Tensor pow(Tensor x, float p) {
        return Autograd.op("pow", map("pow", UnaryOp.POW, p, 0, x), x).save(x)
                .backward((g, n) -> new Tensor[] {g.mul(map("pow", UnaryOp.POW, p - 1, 0, n.saved(0))).mul(p)});
    }

    /** 1 where x > 0, else 0: a comparison, not differentiable (nothing is recorded). */
    public static Tensor step(Tensor x) {
        return map("step", UnaryOp.STEP, x);
    }

    public static Tensor relu(Tensor x) {
        // The output decides the gradient (y > 0 exactly where x > 0), so x need not be kept.
        Tensor y = map("relu", UnaryOp.RELU, x);
        return Autograd.op("relu", y, x).save(y).backward((g, n) -> new Tensor[] {g.mul(map("relu", UnaryOp.STEP, n.saved(0)))});
    }

    public static Tensor leakyRelu(Tensor x, float slope) {
        if (!(slope > 0)) throw new IllegalArgumentException("leakyRelu: slope " + slope + " must be positive");
        Tensor y = map("leakyRelu", UnaryOp.LEAKY_RELU, slope, 0, x);
        return Autograd.op("leakyRelu", y, x).save(y)
                .backward((g, n) -> new Tensor[] {g.mul(map("leakyRelu", UnaryOp.LEAKY_STEP, slope, 0, n.saved(0)))});
    }

    public static Tensor sigmoid(Tensor x) {
        Tensor y = map("sigmoid", UnaryOp.SIGMOID, x);
        // σ' = σ(1 − σ)
        return Autograd.op("sigmoid", y, x).save(y).backward((g, n) -> {
            Tensor s = n.saved(0);
            return new Tensor[] {g.mul(s.sub(s.mul(s)))};
        });
    }

    /** log(1 + eˣ), stable for large |x|. */
    public static Tensor softplus(Tensor x) {
        return Autograd.op("softplus", map("softplus", UnaryOp.SOFTPLUS, x), x).save(x)
                .backward((g, n) -> new Tensor[] {g.mul(map("softplus", UnaryOp.SIGMOID, n.saved(0)))});
    }

    public static Tensor clamp(Tensor x, float lo, float hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("clamp: lower bound " + lo + " above upper bound " + hi);
        return Autograd.op("clamp", map("clamp", UnaryOp.CLAMP, lo, hi, x), x).save(x)
                .backward((g, n) -> new Tensor[] {g.mul(map("clamp", UnaryOp.CLAMP_MASK, lo, hi, n.saved(0)))});
    }
}
