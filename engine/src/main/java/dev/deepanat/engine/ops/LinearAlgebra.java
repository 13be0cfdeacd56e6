package dev.deepanat.engine.ops;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backend;

/** Matrix products on the backend's gemm; transposes are passed as flags, never materialized. */
public final class LinearAlgebra {
    private LinearAlgebra() {}

    /** [m, k] · [k, n]. */
    public static Tensor matmul(Tensor a, Tensor b) {
        return product("matmul", a, false, b, false);
    }

    /** y = x · wᵀ + bias with x [n, in], w [out, in] (PyTorch's layout), bias [out] or null. */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        Tensor y = product("linear", x, false, w, true);
        return bias == null ? y : y.add(bias);
    }

    /** op(a) · op(b), where op transposes a 2-D operand when its flag is set. */
    static Tensor product(String name, Tensor a, boolean ta, Tensor b, boolean tb) {
        Backend be = OpSupport.sameBackend(name, a, b);
        if (a.rank() != 2 || b.rank() != 2)
            throw new IllegalArgumentException(name + ": expected 2-D operands, got " + OpSupport.shapes(a, b));
        int m = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1);
        int kb = tb ? b.dim(1) : b.dim(0), n = tb ? b.dim(0) : b.dim(1);
        if (k != kb)
            throw new IllegalArgumentException(name + ": inner dimensions differ for shapes " + Shapes.str(a.shape())
                    + (ta ? "ᵀ" : "") + " and " + Shapes.str(b.shape()) + (tb ? "ᵀ" : ""));
        Tensor ad = a.contiguous(), bd = b.contiguous();
        Tensor out = OpSupport.empty(be, m, n);
        be.gemm(ta, tb, m, n, k, ad.storage(), 0, bd.storage(), 0, 0f, out.storage(), 0);
        return Autograd.record(name, out, g -> new Tensor[] {
                // C = op(A)op(B): dop(A) = G op(B)ᵀ, dop(B) = op(A)ᵀ G, then undo op.
                a.requiresGrad() ? (ta ? product(name, b, tb, g, true) : product(name, g, false, b, !tb)) : null,
                b.requiresGrad() ? (tb ? product(name, g, true, a, ta) : product(name, a, !ta, g, false)) : null,
        }, a, b);
    }
}
