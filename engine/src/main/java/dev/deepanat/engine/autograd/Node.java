package dev.deepanat.engine.autograd;

import dev.deepanat.engine.Tensor;

/** One recorded op in the define-by-run graph: its name (for error messages), its inputs and its backward rule. */
public final class Node {
    final String op;
    Tensor[] inputs;
    Backward backward;

    Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    public String op() {
        return op;
    }

    /** Drops the references that keep the graph (and its activations) alive. */
    void release() {
        inputs = null;
        backward = null;
    }
}
