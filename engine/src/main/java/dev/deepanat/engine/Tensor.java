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
 *
 * <p>A tensor is a handle: it holds one reference to its storage from construction until {@link #close()}, and the
 * storage is freed when its last handle (or the last autograd node that saved it) lets go. A tensor created inside a
 * {@link MemoryScope} is closed with that scope at the latest. Using a closed tensor is an error naming the op.
 */
public final class Tensor implements AutoCloseable {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final long offset;
    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    private boolean closed;
    /** The scope that will close this handle, or null when the caller owns it (see {@link MemoryScope}). */
    MemoryScope owner;

    /** A new handle on a window of storage; it retains the storage until {@link #close()}. */
    public Tensor(Storage storage, int[] shape, int[] strides, long offset) {
        storage.retain();
        this.storage = storage;
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.offset = offset;
        MemoryScope.adopt(this);
    }

    /** A dense tensor over a whole storage. */
    public Tensor(Storage storage, int... shape) {
        this(storage, shape, Shapes.contiguousStrides(shape), 0);
        if (Shapes.numel(shape) > storage.size())
            throw new IllegalArgumentException("tensor: shape " + Shapes.str(shape) + " needs more than the storage's " + storage.size() + " elements");
    }

    // ---- creation -------------------------------------------------------------------------------------------------
    // Without a backend, tensors are made on the host (the fastest CPU backend), as PyTorch makes them on "cpu";
    // library code that runs on a device takes it from its inputs or an explicit argument.
    public static Tensor zeros(int... shape) { return zeros(Backends.host(), shape); }

    public static Tensor zeros(Backend b, int... shape) {
        checkShape(shape);
        return new Tensor(b.allocate(Shapes.numel(shape)), shape);
    }

    /** A tensor whose elements are unspecified, for outputs that a kernel overwrites whole. */
    public static Tensor empty(Backend b, int... shape) {
        checkShape(shape);
        return new Tensor(b.allocateUninitialized(Shapes.numel(shape)), shape);
    }

    public static Tensor ones(int... shape) { return full(Backends.host(), 1f, shape); }

    public static Tensor ones(Backend b, int... shape) { return full(b, 1f, shape); }

    public static Tensor full(Backend b, float value, int... shape) {
        if (value == 0f) return zeros(b, shape);
        Tensor t = empty(b, shape);
        b.fill(t.storage, value);
        return t;
    }

    public static Tensor scalar(float value) { return of(new float[] {value}); }

    /** A tensor holding a copy of data; the shape defaults to 1-D. */
    public static Tensor of(float[] data, int... shape) { return of(Backends.host(), data, shape); }

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
    /** The storage, for kernels; a closed handle refuses (use {@link #requireOpen} to name the op). */
    public Storage storage() {
        if (closed) throw new IllegalStateException("use after free: tensor " + Shapes.str(shape) + " was closed");
        return storage;
    }

    /** Throws, naming the op, when this handle was closed. */
    public Tensor requireOpen(String op) {
        if (closed) throw new IllegalStateException(op + ": use after free of a closed tensor " + Shapes.str(shape) + " on " + device());
        storage.requireLive(op);
        return this;
    }

    public boolean isClosed() { return closed; }

    /**
     * Drops this handle's reference to the storage (freeing it when it was the last) and, for a leaf, its gradient.
     * Closing twice is harmless.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        owner = null;
        if (grad != null) {
            grad.close();
            grad = null;
        }
        storage.release();
    }

    /** A second handle on the same view, in the current scope; the storage lives until both are closed. */
    public Tensor share() {
        return new Tensor(storage(), shape, strides, offset);
    }

    /** Takes this tensor out of every scope: its caller closes it (parameters, gradients, optimizer state). */
    public Tensor persistent() {
        owner = null;
        return this;
    }

    /** Whether this handle is the only user of its whole storage, so that it may be updated in place. */
    public boolean isExclusive() {
        return !closed && storage.refCount() == 1 && isDense() && numel() == storage.size();
    }

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

    /** Frees the gradient (the next backward makes a new one). */
    public void zeroGrad() {
        if (grad != null) grad.close();
        grad = null;
    }

    public Node gradFn() { return gradFn; }

    /** Used by {@link Autograd} only. */
    public void setGradFn(Node node) {
        this.gradFn = node;
        if (node != null) this.requiresGrad = true;
    }

    /**
     * Adds g into this leaf's gradient, in place. The first gradient is adopted when nothing else uses its storage (the
     * usual case: a kernel's fresh output) and copied otherwise; either way the leaf owns it, outside every scope.
     */
    public void accumulateGrad(Tensor g) {
        g.requireOpen("accumulateGrad");
        if (grad == null) {
            grad = (g.isExclusive() ? g.share() : Views.copyOf(g)).persistent();
        } else {
            Tensor gd = g.contiguous();
            backend().axpy(1f, gd.storage(), grad.storage(), grad.numel());
            if (gd != g) gd.close();
        }
    }

    public void backward() { Autograd.backward(this, null); }

    public void backward(Tensor seed) { Autograd.backward(this, seed); }

    /** The same values with no history: a new handle on the same storage. */
    public Tensor detach() { return new Tensor(storage(), shape, strides, offset); }

    // ---- data movement ----------------------------------------------------------------------------------------------
    /** The values on the host: one transfer and one synchronize. */
    public float[] toArray() {
        requireOpen("toArray");
        Tensor d = contiguous();
        float[] out = d.backend().download(d.storage, d.offset, (int) d.numel());
        if (d != this) d.close();
        return out;
    }

    /** A scalar's value on the host: one transfer and one synchronize, so read it only when needed. */
    public float item() {
        requireOpen("item");
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
        return "Tensor" + Shapes.str(shape) + "@" + device() + (requiresGrad ? " requiresGrad" : "") + (closed ? " closed" : "");
    }
}
