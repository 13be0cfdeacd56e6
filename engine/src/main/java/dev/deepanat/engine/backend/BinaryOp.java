package dev.deepanat.engine.backend;

/** Elementwise z = f(x, y) with broadcasting. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV;

    public float apply(float x, float y) {
        return switch (this) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
        };
    }
}
