package dev.deepanat.engine.backend;

/**
 * Elementwise maps y = f(x; a, b) that every backend implements. Several exist only to express
 * backward passes without a kernel of their own (STEP for ReLU', SIGN for |x|', CLAMP_MASK for clamp').
 */
public enum UnaryOp {
    NEG, EXP, LOG, ABS, SQRT, SIGMOID, RECIPROCAL,
    /** max(x, 0). */
    RELU,
    /** x > 0 ? 1 : 0. */
    STEP,
    /** -1, 0 or 1. */
    SIGN,
    /** x > 0 ? x : a·x. */
    LEAKY_RELU,
    /** x > 0 ? 1 : a (the derivative of LEAKY_RELU). */
    LEAKY_STEP,
    /** x^a. */
    POW,
    /** x + a. */
    ADD_SCALAR,
    /** x · a. */
    MUL_SCALAR,
    /** min(max(x, a), b). */
    CLAMP,
    /** a ≤ x ≤ b ? 1 : 0 (the derivative of CLAMP). */
    CLAMP_MASK,
    /** log(1 + exp(x)) computed stably. */
    SOFTPLUS;

    /** The scalar definition; the reference backend uses it and fast backends are tested against it. */
    public float apply(float x, float a, float b) {
        return switch (this) {
            case NEG -> -x;
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case ABS -> Math.abs(x);
            case SQRT -> (float) Math.sqrt(x);
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case RECIPROCAL -> 1f / x;
            case RELU -> x > 0 ? x : 0f;
            case STEP -> x > 0 ? 1f : 0f;
            case SIGN -> Math.signum(x);
            case LEAKY_RELU -> x > 0 ? x : a * x;
            case LEAKY_STEP -> x > 0 ? 1f : a;
            case POW -> (float) Math.pow(x, a);
            case ADD_SCALAR -> x + a;
            case MUL_SCALAR -> x * a;
            case CLAMP -> Math.min(Math.max(x, a), b);
            case CLAMP_MASK -> x >= a && x <= b ? 1f : 0f;
            case SOFTPLUS -> (float) (Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
        };
    }
}
