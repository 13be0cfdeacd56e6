package dev.deepanat.engine;

import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.autograd.Node;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.backend.Storage;
import dev.deepanat.engine.backend.View;
import dev.deepanat.engine.ops.Elementwise;
import dev.deepanat.engine.ops.LinearAlgebra;
import dev.deepanat.engine.ops.Pointwise;
import dev.deepanat.engine.ops.Reductions;
import dev.deepanat.engine.ops.Views;

import java.util.random.RandomGenerator;

/**
 * An N-dimensional float32 array: a strided view (shape, strides, offset) over a storage owned by a backend, which
 * also fixes its device. Volumes are NCDHW. Ops on tensors record themselves for autograd when an input requires
 * grad; views share storage with their base.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final long offset;
    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;

    public Tensor(Storage storage, int[] shape, int[] strides, long offset) {
        this.storage = storage;
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.offset = offset;
    }

    /** A dense tensor over a whole storage. */
    public Tensor(Storage storage, int... shape) {
        this(storage, shape, Shapes.contiguousStrides(shape), 0);
        if (Shapes.numel(shape) > storage.size())
            throw new IllegalArgumentException("tensor: shape " + Shapes.str(shape) + " needs more than the storage's " + storage.size() + " elements");
    }

    // ---- creation -------------------------------------------------------------------------------------------------
    public static Tensor zeros(int... shape) { return zeros(Backends.defaultBackend(), shape); }

    public static Tensor zeros(Backend b, int... shape) {
        checkShape(shape);
        return new Tensor(b.allocate(Shapes.numel(shape)), shape);
    }

    public static Tensor ones(int... shape) { return full(Backends.defaultBackend(), 1f, shape); }

    public static Tensor ones(Backend b, int... shape) { return full(b, 1f, shape); }

    public static Tensor full(Backend b, float value, int... shape) {
        Tensor t = zeros(b, shape);
        if (value != 0f) b.fill(t.storage, value);
        return t;
    }

    public static Tensor scalar(float value) { return of(new float[] {value}); }

    /** A tensor holding a copy of data; the shape defaults to 1-D. */
    public static Tensor of(float[] data, int... shape) { return of(Backends.defaultBackend(), data, shape); }

    public static Tensor of(Backend b, float[] data, int... shape) {
        int[] s = shape.length == 0 ? new int[] {data.length} : shape;
        checkShape(s);
        if (Shapes.numel(s) != data.length)
            throw new IllegalArgumentException("tensor: " + data.length + " values do not fill shape " + Shapes.str(s));
        return new Tensor(b.upload(data), s);
    }

    /** Normal(mean, std) samples drawn from rng in row-major order (reproducible for a seed). */
    public static Tensor randn(RandomGenerator rng, float mean, float std, int... shape) {
        float[] d = new float[(int) Shapes.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (mean + std * rng.nextGaussian());
        return of(d, shape);
    }

    /** Uniform samples in [lo, hi). */
    public static Tensor uniform(RandomGenerator rng, float lo, float hi, int... shape) {
        float[] d = new float[(int) Shapes.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return of(d, shape);
    }

    private static void checkShape(int[] shape) {
        for (int d : shape)
            if (d < 0) throw new IllegalArgumentException("tensor: negative dimension in shape " + Shapes.str(shape));
    }

    // ---- metadata --------------------------------------------------------------------------------------------------
    public int[] shape() { return shape.clone(); }
    public int dim(int axis) { return shape[Shapes.axis("dim", axis, shape.length)]; }
    public int rank() { return shape.length; }
    public long numel() { return Shapes.numel(shape); }
    public int[] strides() { return strides.clone(); }
    public long offset() { return offset; }
    public Storage storage() { return storage; }
    public Backend backend() { return storage.backend(); }
    public Device device() { return storage.backend().device(); }

    /** Row-major with no gaps, starting at the storage's first element: what kernels take as a plain buffer. */
    public boolean isDense() {
        return offset == 0 && isContiguous();
    }

    public boolean isContiguous() {
        return view().isContiguous();
    }

    /** The kernel's view of this tensor. */
    public View view() {
        return new View(storage, offset, shape, strides);
    }

    /** This tensor seen with a broadcast shape: size-1 (or missing leading) dimensions get stride 0. */
    public View broadcastView(int[] target) {
        int[] st = new int[target.length];
        int lead = target.length - shape.length;
        for (int i = 0; i < target.length; i++) {
            int k = i - lead;
            st[i] = k < 0 || shape[k] == 1 ? 0 : strides[k];
        }
        return new View(storage, offset, target, st);
    }

    // ---- autograd --------------------------------------------------------------------------------------------------
    public boolean requiresGrad() { return requiresGrad; }

    public Tensor requiresGrad(boolean flag) {
        if (flag && gradFn != null) throw new IllegalStateException("requiresGrad: only leaf tensors can be marked");
        this.requiresGrad = flag;
        return this;
    }

    public Tensor grad() { return grad; }

    public void zeroGrad() { grad = null; }

    public Node gradFn() { return gradFn; }

    /** Used by {@link Autograd} only. */
    public void setGradFn(Node node) {
        this.gradFn = node;
        if (node != null) this.requiresGrad = true;
    }

    /** Adds g into this leaf's gradient (the first one is copied so that it owns its storage). */
    public void accumulateGrad(Tensor g) {
        if (grad == null) grad = Views.copyOf(g);
        else backend().axpy(1f, g.contiguous().storage, grad.storage, grad.numel());
    }

    public void backward() { Autograd.backward(this, null); }

    public void backward(Tensor seed) { Autograd.backward(this, seed); }

    /** The same values with no history (shares storage). */
    public Tensor detach() { return new Tensor(storage, shape, strides, offset); }

    // ---- data movement ----------------------------------------------------------------------------------------------
    public float[] toArray() {
        Tensor d = contiguous();
        return d.backend().download(d.storage, d.offset, (int) d.numel());
    }

    public float item() {
        if (numel() != 1) throw new IllegalStateException("item: tensor of shape " + Shapes.str(shape) + " is not a scalar");
        return backend().download(storage, offset, 1)[0];
    }

    /** A copy on another backend (the same tensor when already there). Differentiable. */
    public Tensor to(Backend b) { return Views.to(this, b); }

    /** Overwrites this tensor's elements with src's (same shape); not recorded by autograd. */
    public void copyFrom(Tensor src) { Views.copyInto(src, this); }

    // ---- ops (see package dev.deepanat.engine.ops for their forward and backward) ------------------------------------
    public Tensor add(Tensor o) { return Elementwise.add(this, o); }
    public Tensor sub(Tensor o) { return Elementwise.sub(this, o); }
    public Tensor mul(Tensor o) { return Elementwise.mul(this, o); }
    public Tensor div(Tensor o) { return Elementwise.div(this, o); }
    public Tensor add(float s) { return Pointwise.addScalar(this, s); }
    public Tensor mul(float s) { return Pointwise.mulScalar(this, s); }
    public Tensor neg() { return Pointwise.neg(this); }
    public Tensor exp() { return Pointwise.exp(this); }
    public Tensor log() { return Pointwise.log(this); }
    public Tensor abs() { return Pointwise.abs(this); }
    public Tensor sqrt() { return Pointwise.sqrt(this); }
    public Tensor pow(float p) { return Pointwise.pow(this, p); }
    public Tensor relu() { return Pointwise.relu(this); }
    public Tensor sigmoid() { return Pointwise.sigmoid(this); }
    public Tensor sum() { return Reductions.sum(this); }
    public Tensor sum(boolean keepDims, int... axes) { return Reductions.sum(this, keepDims, axes); }
    public Tensor mean() { return Reductions.mean(this); }
    public Tensor mean(boolean keepDims, int... axes) { return Reductions.mean(this, keepDims, axes); }
    public Tensor matmul(Tensor o) { return LinearAlgebra.matmul(this, o); }
    public Tensor reshape(int... newShape) { return Views.reshape(this, newShape); }
    public Tensor permute(int... dims) { return Views.permute(this, dims); }
    public Tensor transpose(int a, int b) { return Views.transpose(this, a, b); }
    public Tensor narrow(int axis, int start, int length) { return Views.narrow(this, axis, start, length); }
    public Tensor flatten() { return Views.flatten(this); }
    public Tensor contiguous() { return Views.contiguous(this); }

    @Override
    public String toString() {
        return "Tensor" + Shapes.str(shape) + "@" + device() + (requiresGrad ? " requiresGrad" : "");
    }
}
