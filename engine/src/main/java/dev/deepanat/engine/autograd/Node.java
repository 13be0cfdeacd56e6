package dev.deepanat.engine.autograd;

import dev.deepanat.engine.Tensor;

/**
 * One recorded op in the define-by-run graph. It points at the nodes that produced its inputs (or at the input itself
 * when that is a leaf), not at intermediate tensors, and holds its own handles on exactly the tensors its backward
 * needs (as PyTorch's saved variables: a ReLU keeps its output, a convolution its input). Which inputs need a gradient
 * is decided here, when the forward runs, so freezing a module afterwards changes the next forward, not this graph.
 * {@link #release} drops the saved handles: backward does it as soon as the node is consumed.
 */
public final class Node {
    final String op;
    Node[] next;
    Tensor[] leaves;
    int[][] inputShapes;
    private Tensor[] saved;
    private final long outputNumel;
    /** The layer whose forward recorded this node: its backward kernels are profiled under the same name. */
    final dev.deepanat.engine.profile.Layer.Context layer = dev.deepanat.engine.profile.Layer.current().inPass("backward");
    Backward backward;

    Node(String op, Tensor out, Tensor[] inputs) {
        this.op = op;
        this.outputNumel = out.numel();
        next = new Node[inputs.length];
        leaves = new Tensor[inputs.length];
        inputShapes = new int[inputs.length][];
        for (int k = 0; k < inputs.length; k++) {
            Tensor t = inputs[k];
            if (t == null || !t.requiresGrad()) continue;
            inputShapes[k] = t.shape();
            if (t.gradFn() != null) next[k] = t.gradFn();
            else leaves[k] = t;
        }
    }

    public String op() {
        return op;
    }

    /** Whether input k gets a gradient (it required one when the forward ran). */
    public boolean needs(int k) {
        return inputShapes[k] != null;
    }

    /** The i-th tensor the forward saved for this node's backward. */
    public Tensor saved(int i) {
        if (saved == null) throw new IllegalStateException(op + ": its saved tensors were already released");
        if (saved[i] == null) throw new IllegalStateException(op + ": saved tensor " + i + " was not kept by the forward");
        return saved[i].requireOpen(op + " backward");
    }

    /** Elements of the op's output (and so of its gradient). */
    public long outputNumel() {
        return outputNumel;
    }

    /** The saved handles (nulls left out). */
    Tensor[] savedTensors() {
        return saved == null ? new Tensor[0] : java.util.Arrays.stream(saved).filter(java.util.Objects::nonNull).toArray(Tensor[]::new);
    }

    /** Takes the node's own handles on ts; a null entry saves nothing (not needed for the gradients asked for). */
    void save(Tensor[] ts) {
        saved = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) saved[i] = ts[i] == null ? null : ts[i].requireOpen(op).share().persistent();
    }

    /** Drops the saved tensors and the references that keep the graph alive. Idempotent. */
    public void release() {
        if (saved != null) for (Tensor t : saved) if (t != null) t.close();
        saved = null;
        next = null;
        leaves = null;
        backward = null;
    }
}
