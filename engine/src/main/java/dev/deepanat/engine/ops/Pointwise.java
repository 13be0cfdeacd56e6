package dev.deepanat.engine.ops;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.UnaryOp;

/** Elementwise functions of one tensor, each with its derivative beside it. */
public final class Pointwise {
    private Pointwise() {}

    /** y = op(x; a, b) on a dense copy of x, without recording. */
    static Tensor map(UnaryOp op, float a, float b, Tensor x) {
        Tensor xc = x.contiguous();
        Tensor out = OpSupport.empty(x.backend(), x.shape());
        x.backend().unary(op, a, b, xc.storage(), out.storage(), out.numel());
        return out;
    }

    static Tensor map(UnaryOp op, Tensor x) {
        return map(op, 0f, 0f, x);
    }

    public static Tensor neg(Tensor x) {
        return Autograd.record("neg", map(UnaryOp.NEG, x), g -> new Tensor[] {map(UnaryOp.NEG, g)}, x);
    }

    public static Tensor addScalar(Tensor x, float s) {
        return Autograd.record("addScalar", map(UnaryOp.ADD_SCALAR, s, 0, x), g -> new Tensor[] {g}, x);
    }

    public static Tensor mulScalar(Tensor x, float s) {
        return Autograd.record("mulScalar", map(UnaryOp.MUL_SCALAR, s, 0, x), g -> new Tensor[] {mulScalar(g, s)}, x);
    }

    public static Tensor exp(Tensor x) {
        Tensor y = map(UnaryOp.EXP, x);
        return Autograd.record("exp", y, g -> new Tensor[] {g.mul(y)}, x);
    }

    public static Tensor log(Tensor x) {
        return Autograd.record("log", map(UnaryOp.LOG, x), g -> new Tensor[] {g.div(x)}, x);
    }

    public static Tensor abs(Tensor x) {
        return Autograd.record("abs", map(UnaryOp.ABS, x), g -> new Tensor[] {g.mul(map(UnaryOp.SIGN, x))}, x);
    }

    public static Tensor sqrt(Tensor x) {
        Tensor y = map(UnaryOp.SQRT, x);
        return Autograd.record("sqrt", y, g -> new Tensor[] {g.div(y).mul(0.5f)}, x);
    }

    public static Tensor pow(Tensor x, float p) {
        return Autograd.record("pow", map(UnaryOp.POW, p, 0, x),
                g -> new Tensor[] {g.mul(map(UnaryOp.POW, p - 1, 0, x)).mul(p)}, x);
    }

    public static Tensor relu(Tensor x) {
        // The output decides the gradient (y > 0 exactly where x > 0), so x need not be kept.
        Tensor y = map(UnaryOp.RELU, x);
        return Autograd.record("relu", y, g -> new Tensor[] {g.mul(map(UnaryOp.STEP, y))}, x);
    }

    public static Tensor leakyRelu(Tensor x, float slope) {
        if (!(slope > 0)) throw new IllegalArgumentException("leakyRelu: slope " + slope + " must be positive");
        Tensor y = map(UnaryOp.LEAKY_RELU, slope, 0, x);
        return Autograd.record("leakyRelu", y, g -> new Tensor[] {g.mul(map(UnaryOp.LEAKY_STEP, slope, 0, y))}, x);
    }

    public static Tensor sigmoid(Tensor x) {
        Tensor y = map(UnaryOp.SIGMOID, x);
        // σ' = σ(1 − σ)
        return Autograd.record("sigmoid", y, g -> new Tensor[] {g.mul(y.sub(y.mul(y)))}, x);
    }

    /** log(1 + eˣ), stable for large |x|. */
    public static Tensor softplus(Tensor x) {
        return Autograd.record("softplus", map(UnaryOp.SOFTPLUS, x), g -> new Tensor[] {g.mul(map(UnaryOp.SIGMOID, x))}, x);
    }

    public static Tensor clamp(Tensor x, float lo, float hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("clamp: lower bound " + lo + " above upper bound " + hi);
        return Autograd.record("clamp", map(UnaryOp.CLAMP, lo, hi, x),
                g -> new Tensor[] {g.mul(map(UnaryOp.CLAMP_MASK, lo, hi, x))}, x);
    }
}
