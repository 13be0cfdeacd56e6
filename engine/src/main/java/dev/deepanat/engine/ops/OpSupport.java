package dev.deepanat.engine.ops;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;

/** Checks shared by the ops: operands on one backend, dense outputs. */
final class OpSupport {
    private OpSupport() {}

    static Backend sameBackend(String op, Tensor... ts) {
        Backend b = null;
        for (Tensor t : ts) {
            if (t == null) continue;
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

    static Tensor empty(Backend b, int... shape) {
        return Tensor.zeros(b, shape);
    }
}
