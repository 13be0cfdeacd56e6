package dev.deepanat.engine.ops;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;

/** Checks shared by the ops: operands open and on one backend; outputs; the ops' own temporaries. */
final class OpSupport {
    private OpSupport() {}

    /** The operands' common backend; a closed operand or one on another backend is an error naming op. */
    static Backend sameBackend(String op, Tensor... ts) {
        Backend b = null;
        for (Tensor t : ts) {
            if (t == null) continue;
            t.requireOpen(op);
            if (b == null) b = t.backend();
            else if (t.backend() != b)
                throw new IllegalArgumentException(op + ": operands on different backends (" + b.name() + ", "
                        + t.backend().name() + ") with shapes " + shapes(ts) + "; move them with Tensor.to(backend)");
        }
        return b;
    }

    static String shapes(Tensor... ts) {
        StringBuilder sb = new StringBuilder();
        for (Tensor t : ts) {
            if (t == null) continue;
            if (!sb.isEmpty()) sb.append(" and ");
            sb.append(Shapes.str(t.shape()));
        }
        return sb.toString();
    }

    /** An output the kernel overwrites whole: no zero-fill. */
    static Tensor empty(Backend b, int... shape) {
        return Tensor.empty(b, shape);
    }

    /**
     * Closes an op's temporary handle (a dense copy, a reshaped view) unless it is the very tensor the caller passed in.
     * What a graph node saved stays alive through the node's own handle.
     */
    static void closeTemp(Tensor temp, Tensor callers) {
        if (temp != null && temp != callers) temp.close();
    }
}
