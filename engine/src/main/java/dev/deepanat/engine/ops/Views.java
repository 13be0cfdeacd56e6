package dev.deepanat.engine.ops;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backend;

import java.util.Arrays;

/**
 * Shape ops. reshape, permute and narrow are views that share storage (reshape copies only a non-contiguous input);
 * concat and contiguous copy. Each gradient undoes the view.
 */
public final class Views {
    private Views() {}

    public static Tensor reshape(Tensor x, int... newShape) {
        x.requireOpen("reshape");
        int[] shape = resolve(x, newShape);
        if (Arrays.equals(shape, x.shape())) return x;
        Tensor base = x.isContiguous() ? x : contiguous(x);
        Tensor out = new Tensor(base.storage(), shape, Shapes.contiguousStrides(shape), base.offset());
        int[] old = x.shape();
        out = Autograd.op("reshape", out, base).backward((g, n) -> new Tensor[] {reshape(g, old)});
        OpSupport.closeTemp(base, x);
        return out;
    }

    private static int[] resolve(Tensor x, int[] newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Shapes.str(newShape));
                infer = i;
            } else known *= s[i];
        }
        if (infer >= 0 && known > 0) s[infer] = (int) (x.numel() / known);
        if (Shapes.numel(s) != x.numel())
            throw new IllegalArgumentException("reshape: cannot view shape " + Shapes.str(x.shape()) + " as " + Shapes.str(newShape));
        return s;
    }

    public static Tensor flatten(Tensor x) {
        if (x.rank() < 2) throw new IllegalArgumentException("flatten: needs a batch axis, got shape " + Shapes.str(x.shape()));
        return reshape(x, x.dim(0), -1);
    }

    public static Tensor permute(Tensor x, int... dims) {
        x.requireOpen("permute");
        if (dims.length != x.rank())
            throw new IllegalArgumentException("permute: " + dims.length + " axes for shape " + Shapes.str(x.shape()));
        int[] shape = new int[dims.length], strides = new int[dims.length], inverse = new int[dims.length];
        boolean[] used = new boolean[dims.length];
        int[] xs = x.shape(), xst = x.strides();
        for (int i = 0; i < dims.length; i++) {
            int d = Shapes.axis("permute", dims[i], dims.length);
            if (used[d]) throw new IllegalArgumentException("permute: axis " + d + " repeated in " + Arrays.toString(dims));
            used[d] = true;
            shape[i] = xs[d];
            strides[i] = xst[d];
            inverse[d] = i;
        }
        Tensor out = new Tensor(x.storage(), shape, strides, x.offset());
        return Autograd.op("permute", out, x).backward((g, n) -> new Tensor[] {permute(g, inverse)});
    }

    public static Tensor transpose(Tensor x, int a, int b) {
        int[] dims = new int[x.rank()];
        for (int i = 0; i < dims.length; i++) dims[i] = i;
        int aa = Shapes.axis("transpose", a, x.rank()), bb = Shapes.axis("transpose", b, x.rank());
        dims[aa] = bb;
        dims[bb] = aa;
        return permute(x, dims);
    }

    public static Tensor narrow(Tensor x, int axis, int start, int length) {
        x.requireOpen("narrow");
        int a = Shapes.axis("narrow", axis, x.rank());
        if (start < 0 || length < 0 || start + length > x.dim(a))
            throw new IllegalArgumentException("narrow: range [" + start + ", " + (start + length) + ") outside axis " + a
                    + " of shape " + Shapes.str(x.shape()));
        int[] shape = x.shape();
        shape[a] = length;
        Tensor out = new Tensor(x.storage(), shape, x.strides(), x.offset() + (long) start * x.strides()[a]);
        int[] full = x.shape();
        return Autograd.op("narrow", out, x).backward((g, n) -> {
            Tensor gx = Tensor.zeros(g.backend(), full);
            copyInto(g, new Tensor(gx.storage(), shape, gx.strides(), (long) start * gx.strides()[a]));
            return new Tensor[] {gx};
        });
    }

    /** Joins tensors along an axis; all other dimensions must agree. */
    public static Tensor concat(int axis, Tensor... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("concat: no tensors");
        Backend b = OpSupport.sameBackend("concat", xs);
        int a = Shapes.axis("concat", axis, xs[0].rank());
        int[] shape = xs[0].shape();
        int total = 0;
        for (Tensor t : xs) {
            int[] s = t.shape();
            boolean ok = s.length == shape.length;
            for (int i = 0; ok && i < s.length; i++) ok = i == a || s[i] == shape[i];
            if (!ok) throw new IllegalArgumentException("concat: shapes " + OpSupport.shapes(xs) + " differ off axis " + a);
            total += s[a];
        }
        shape[a] = total;
        Tensor out = OpSupport.empty(b, shape);
        int[] starts = new int[xs.length], sizes = new int[xs.length];
        int at = 0;
        for (int i = 0; i < xs.length; i++) {
            starts[i] = at;
            sizes[i] = xs[i].dim(a);
            Tensor part = narrowNoGrad(out, a, at, xs[i].dim(a));
            copyInto(xs[i], part);
            part.close();
            at += xs[i].dim(a);
        }
        return Autograd.op("concat", out, xs).backward((g, n) -> {
            Tensor[] gs = new Tensor[xs.length];
            for (int i = 0; i < xs.length; i++)
                if (n.needs(i)) gs[i] = contiguous(narrowNoGrad(g, a, starts[i], sizes[i]));
            return gs;
        });
    }

    /**
     * The entries idx of axis 0, in that order, as one dense tensor (each copied on the device). The indices must be
     * distinct, so that the gradient is a plain scatter: each input entry receives at most one output's gradient.
     */
    public static Tensor indexSelect(Tensor x, int[] idx) {
        x.requireOpen("indexSelect");
        if (x.rank() < 1) throw new IllegalArgumentException("indexSelect: needs an axis 0, got a scalar");
        boolean[] seen = new boolean[x.dim(0)];
        for (int i : idx) {
            if (i < 0 || i >= x.dim(0))
                throw new IllegalArgumentException("indexSelect: index " + i + " outside axis 0 of shape " + Shapes.str(x.shape()));
            if (seen[i]) throw new IllegalArgumentException("indexSelect: index " + i + " given twice");
            seen[i] = true;
        }
        int[] shape = x.shape();
        shape[0] = idx.length;
        Tensor out = OpSupport.empty(x.backend(), shape);
        for (int j = 0; j < idx.length; j++) copyRow(x, idx[j], out, j);
        int[] full = x.shape();
        return Autograd.op("indexSelect", out, x).backward((g, n) -> {
            Tensor gx = Tensor.zeros(g.backend(), full);
            for (int j = 0; j < idx.length; j++) copyRow(g, j, gx, idx[j]);
            return new Tensor[] {gx};
        });
    }

    /** dst[to] ← src[from] along axis 0, on the device. */
    private static void copyRow(Tensor src, int from, Tensor dst, int to) {
        Tensor s = narrowNoGrad(src, 0, from, 1), d = narrowNoGrad(dst, 0, to, 1);
        copyInto(s, d);
        s.close();
        d.close();
    }

    private static Tensor narrowNoGrad(Tensor x, int a, int start, int length) {
        int[] shape = x.shape();
        shape[a] = length;
        return new Tensor(x.storage(), shape, x.strides(), x.offset() + (long) start * x.strides()[a]);
    }

    /** A dense copy unless already dense. */
    public static Tensor contiguous(Tensor x) {
        x.requireOpen("contiguous");
        if (x.isDense()) return x;
        Tensor out = copyOf(x);
        return Autograd.op("contiguous", out, x).backward((g, n) -> new Tensor[] {g});
    }

    /** A dense copy with its own storage, not recorded. */
    public static Tensor copyOf(Tensor x) {
        x.requireOpen("copy");
        Tensor out = OpSupport.empty(x.backend(), x.shape());
        x.backend().copy(x.view(), out.view());
        return out;
    }

    /** dst ← src elementwise (same shape, same backend), not recorded. */
    public static void copyInto(Tensor src, Tensor dst) {
        OpSupport.sameBackend("copy", src, dst);
        if (!Arrays.equals(src.shape(), dst.shape()))
            throw new IllegalArgumentException("copy: shape " + Shapes.str(src.shape()) + " into " + Shapes.str(dst.shape()));
        dst.backend().copy(src.view(), dst.view());
    }

    /** A copy on another backend; the gradient moves back. */
    public static Tensor to(Tensor x, Backend b) {
        x.requireOpen("to");
        if (x.backend() == b) return x;
        Backend from = x.backend();
        return Autograd.op("to", transfer(x, b), x).backward((g, n) -> new Tensor[] {transfer(g, from)});
    }

    /** A dense copy of x on backend b, through host memory (not recorded). */
    public static Tensor transfer(Tensor x, Backend b) {
        x.requireOpen("to");
        float[] host = x.toArray();
        Tensor out = OpSupport.empty(b, x.shape());
        b.copyIn(host, 0, out.storage(), 0, host.length);
        return out;
    }
}
