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
        if (bias == null) return y;
        Tensor yb = y.add(bias);
        y.close();
        return yb;
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
        out = Autograd.op(name, out, a, b).save(b.requiresGrad() ? ad : null, a.requiresGrad() ? bd : null).backward((g, nd) -> {
            // C = op(A)op(B): dop(A) = G op(B)ᵀ, dop(B) = op(A)ᵀ G, then undo op.
            Tensor sa = nd.needs(1) ? nd.saved(0) : null, sb = nd.needs(0) ? nd.saved(1) : null;
            return new Tensor[] {
                    nd.needs(0) ? (ta ? product(name, sb, tb, g, true) : product(name, g, false, sb, !tb)) : null,
                    nd.needs(1) ? (tb ? product(name, g, true, sa, ta) : product(name, sa, !ta, g, false)) : null};
        });
        OpSupport.closeTemp(ad, a);
        OpSupport.closeTemp(bd, b);
        return out;
    }
}
