package dev.deepanat.engine.autograd;

import dev.deepanat.engine.Tensor;

/**
 * One recorded op in the define-by-run graph. It points at the nodes that produced its inputs (or at the input
 * itself when that is a leaf), not at intermediate tensors, so an activation's memory is held only by the backward
 * rules that need it — as in PyTorch, where a ReLU keeps its output and a convolution its input, nothing more.
 */
public final class Node {
    final String op;
    Node[] next;
    Tensor[] leaves;
    int[][] inputShapes;
    Backward backward;

    Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.backward = backward;
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

    /** Drops the references that keep the graph (and its saved activations) alive. */
    void release() {
        next = null;
        leaves = null;
        backward = null;
    }
}
