package dev.deepanat.engine.ops;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;

import java.util.Arrays;

/** Sums and means over all or some axes; their gradient is the output's, broadcast back over the reduced axes. */
public final class Reductions {
    private Reductions() {}

    public static Tensor sum(Tensor x) {
        int[] all = new int[x.rank()];
        for (int i = 0; i < all.length; i++) all[i] = i;
        return sum(x, false, all);
    }

    public static Tensor mean(Tensor x) {
        Tensor s = sum(x), m = s.mul(1f / Math.max(1, x.numel()));
        s.close();
        return m;
    }

    public static Tensor mean(Tensor x, boolean keepDims, int... axes) {
        long n = 1;
        for (int a : normalize("mean", axes, x.rank())) n *= x.dim(a);
        Tensor s = sum(x, keepDims, axes), m = s.mul(1f / Math.max(1, n));
        s.close();
        return m;
    }

    public static Tensor sum(Tensor x, boolean keepDims, int... axes) {
        x.requireOpen("sum");
        int[] ax = normalize("sum", axes, x.rank());
        int[] inShape = x.shape();
        int[] kept = inShape.clone();
        for (int a : ax) kept[a] = 1;
        Tensor xc = x.contiguous();
        Tensor out = OpSupport.empty(x.backend(), kept);
        x.backend().reduceSum(xc.storage(), inShape, kept, out.storage());
        OpSupport.closeTemp(xc, x);
        out = Autograd.op("sum", out, x).backward((g, n) -> new Tensor[] {expand(g, inShape)});
        if (keepDims) return out;
        int[] squeezed = new int[inShape.length - ax.length];
        for (int i = 0, j = 0; i < inShape.length; i++) if (Arrays.binarySearch(ax, i) < 0) squeezed[j++] = inShape[i];
        Tensor r = out.reshape(squeezed);
        OpSupport.closeTemp(out, r);
        return r;
    }

    /** Broadcasts x (same rank, or fewer leading dims) to shape, materialized. Backward: sum back. */
    public static Tensor expand(Tensor x, int[] shape) {
        x.requireOpen("expand");
        if (Arrays.equals(x.shape(), shape)) return x;
        int[] target = Shapes.broadcast("expand", x.shape(), shape);
        if (!Arrays.equals(target, shape))
            throw new IllegalArgumentException("expand: shape " + Shapes.str(x.shape()) + " cannot expand to " + Shapes.str(shape));
        Tensor out = OpSupport.empty(x.backend(), shape);
        x.backend().copy(x.broadcastView(shape), out.view());
        int[] xs = x.shape();
        return Autograd.op("expand", out, x).backward((g, n) -> new Tensor[] {sumTo(g, xs)});
    }

    /** Sums g down to shape, the inverse of broadcasting (used by the gradients of broadcasting ops). */
    public static Tensor sumTo(Tensor g, int[] shape) {
        if (Arrays.equals(g.shape(), shape)) return g;
        int lead = g.rank() - shape.length;
        int[] aligned = new int[g.rank()];
        Arrays.fill(aligned, 1);
        System.arraycopy(shape, 0, aligned, lead, shape.length);
        int[] axes = new int[g.rank()];
        int n = 0;
        for (int i = 0; i < g.rank(); i++) if (aligned[i] == 1 && g.dim(i) != 1) axes[n++] = i;
        Tensor s = n == 0 ? g : sum(g, true, Arrays.copyOf(axes, n));
        Tensor r = s.reshape(shape);
        if (s != g) OpSupport.closeTemp(s, r);
        return r;
    }

    private static int[] normalize(String op, int[] axes, int rank) {
        int[] ax = new int[axes.length];
        for (int i = 0; i < axes.length; i++) ax[i] = Shapes.axis(op, axes[i], rank);
        Arrays.sort(ax);
        for (int i = 1; i < ax.length; i++)
            if (ax[i] == ax[i - 1]) throw new IllegalArgumentException(op + ": axis " + ax[i] + " given twice");
        return ax;
    }
}
