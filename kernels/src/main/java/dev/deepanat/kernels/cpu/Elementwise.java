package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import dev.deepanat.engine.backend.BinaryOp;
import dev.deepanat.engine.backend.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise kernels: unary maps, binary ops with broadcasting (dims merged into runs; vector loops for the
 * vector-vector, vector-scalar and scalar-vector runs), axpy and scale. Every loop is split over the shared pool in
 * chunks of {@link #GRAIN} elements. Ops whose vector form would round differently from the scalar definition
 * (exp, log, pow, sigmoid, softplus, sign) run the scalar definition.
 */
final class Elementwise {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    static final int GRAIN = 1 << 15;

    private Elementwise() {}

    static void unary(UnaryOp op, float a, float b, float[] x, float[] y, int n) {
        Parallel.forRange(n, GRAIN, (lo, hi) -> unaryRange(op, a, b, x, y, lo, hi));
    }

    private static void unaryRange(UnaryOp op, float a, float b, float[] x, float[] y, int lo, int hi) {
        int i = lo;
        int upper = lo + S.loopBound(hi - lo);
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        switch (op) {
            case NEG -> { for (; i < upper; i += VL) FloatVector.fromArray(S, x, i).neg().intoArray(y, i); }
            case ABS -> { for (; i < upper; i += VL) FloatVector.fromArray(S, x, i).abs().intoArray(y, i); }
            case SQRT -> { for (; i < upper; i += VL) FloatVector.fromArray(S, x, i).sqrt().intoArray(y, i); }
            case RECIPROCAL -> { for (; i < upper; i += VL) one.div(FloatVector.fromArray(S, x, i)).intoArray(y, i); }
            case RELU -> {
                for (; i < upper; i += VL) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
                }
            }
            case STEP -> {
                for (; i < upper; i += VL) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    zero.blend(one, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
                }
            }
            case LEAKY_RELU -> {
                for (; i < upper; i += VL) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    v.mul(a).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
                }
            }
            case LEAKY_STEP -> {
                FloatVector av = FloatVector.broadcast(S, a);
                for (; i < upper; i += VL) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    av.blend(one, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
                }
            }
            case ADD_SCALAR -> { for (; i < upper; i += VL) FloatVector.fromArray(S, x, i).add(a).intoArray(y, i); }
            case MUL_SCALAR -> { for (; i < upper; i += VL) FloatVector.fromArray(S, x, i).mul(a).intoArray(y, i); }
            case CLAMP -> { for (; i < upper; i += VL) FloatVector.fromArray(S, x, i).max(a).min(b).intoArray(y, i); }
            case CLAMP_MASK -> {
                for (; i < upper; i += VL) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    VectorMask<Float> m = v.compare(VectorOperators.GE, a).and(v.compare(VectorOperators.LE, b));
                    zero.blend(one, m).intoArray(y, i);
                }
            }
            default -> { }
        }
        for (; i < hi; i++) y[i] = op.apply(x[i], a, b);
    }

    static void axpy(float alpha, float[] x, float[] y, int n) {
        Parallel.forRange(n, GRAIN, (lo, hi) -> {
            int i = lo, upper = lo + S.loopBound(hi - lo);
            FloatVector av = FloatVector.broadcast(S, alpha);
            for (; i < upper; i += VL)
                FloatVector.fromArray(S, x, i).fma(av, FloatVector.fromArray(S, y, i)).intoArray(y, i);
            for (; i < hi; i++) y[i] += alpha * x[i];
        });
    }

    static void scale(float alpha, float[] x, int n) {
        Parallel.forRange(n, GRAIN, (lo, hi) -> {
            int i = lo, upper = lo + S.loopBound(hi - lo);
            for (; i < upper; i += VL) FloatVector.fromArray(S, x, i).mul(alpha).intoArray(x, i);
            for (; i < hi; i++) x[i] *= alpha;
        });
    }

    /**
     * out (dense) = op(x, y) over the common shape; xStrides/yStrides may hold 0 for broadcast dimensions. Adjacent
     * dimensions that are contiguous with each other in both operands are merged into one run first.
     */
    static void binary(BinaryOp op, float[] x, long xOff, int[] xStrides, float[] y, long yOff, int[] yStrides,
                       int[] shape, float[] out) {
        Strided m = Strided.merge(shape, xStrides, yStrides);
        int rank = m.shape.length;
        int len = m.shape[rank - 1];
        int sx = m.s1[rank - 1], sy = m.s2[rank - 1];
        int rows = 1;
        for (int k = 0; k < rank - 1; k++) rows *= m.shape[k];
        int xo = (int) xOff, yo = (int) yOff;
        int rowGrain = Math.max(1, GRAIN / Math.max(1, len));
        if (rows == 1) {
            Parallel.forRange(len, GRAIN, (lo, hi) ->
                    row(op, x, xo + lo * sx, sx, y, yo + lo * sy, sy, out, lo, hi - lo));
            return;
        }
        Parallel.forRange(rows, rowGrain, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int rx = xo, ry = yo, rem = r;
                for (int k = rank - 2; k >= 0; k--) {
                    int idx = rem % m.shape[k];
                    rem /= m.shape[k];
                    rx += idx * m.s1[k];
                    ry += idx * m.s2[k];
                }
                row(op, x, rx, sx, y, ry, sy, out, r * len, len);
            }
        });
    }

    private static void row(BinaryOp op, float[] x, int xo, int sx, float[] y, int yo, int sy, float[] o, int oo, int len) {
        int i = 0, upper = S.loopBound(len);
        if (sx == 1 && sy == 1) {
            switch (op) {
                case ADD -> { for (; i < upper; i += VL) FloatVector.fromArray(S, x, xo + i).add(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i); }
                case SUB -> { for (; i < upper; i += VL) FloatVector.fromArray(S, x, xo + i).sub(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i); }
                case MUL -> { for (; i < upper; i += VL) FloatVector.fromArray(S, x, xo + i).mul(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i); }
                case DIV -> { for (; i < upper; i += VL) FloatVector.fromArray(S, x, xo + i).div(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i); }
            }
            for (; i < len; i++) o[oo + i] = op.apply(x[xo + i], y[yo + i]);
        } else if (sx == 1 && sy == 0) {
            float c = y[yo];
            switch (op) {
                case ADD -> { for (; i < upper; i += VL) FloatVector.fromArray(S, x, xo + i).add(c).intoArray(o, oo + i); }
                case SUB -> { for (; i < upper; i += VL) FloatVector.fromArray(S, x, xo + i).sub(c).intoArray(o, oo + i); }
                case MUL -> { for (; i < upper; i += VL) FloatVector.fromArray(S, x, xo + i).mul(c).intoArray(o, oo + i); }
                case DIV -> { for (; i < upper; i += VL) FloatVector.fromArray(S, x, xo + i).div(c).intoArray(o, oo + i); }
            }
            for (; i < len; i++) o[oo + i] = op.apply(x[xo + i], c);
        } else if (sx == 0 && sy == 1) {
            float c = x[xo];
            FloatVector cv = FloatVector.broadcast(S, c);
            switch (op) {
                case ADD -> { for (; i < upper; i += VL) cv.add(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i); }
                case SUB -> { for (; i < upper; i += VL) cv.sub(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i); }
                case MUL -> { for (; i < upper; i += VL) cv.mul(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i); }
                case DIV -> { for (; i < upper; i += VL) cv.div(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i); }
            }
            for (; i < len; i++) o[oo + i] = op.apply(c, y[yo + i]);
        } else {
            for (i = 0; i < len; i++) o[oo + i] = op.apply(x[xo + i * sx], y[yo + i * sy]);
        }
    }
}
