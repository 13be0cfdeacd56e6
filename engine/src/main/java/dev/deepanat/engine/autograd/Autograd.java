package dev.deepanat.engine.autograd;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Define-by-run reverse-mode differentiation. Ops call {@link #record} after computing their output; {@link #backward}
 * walks the recorded graph in reverse topological order, accumulating gradients, then releases it.
 */
public final class Autograd {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private Autograd() {}

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** A scope in which ops record nothing: {@code try (var ng = Autograd.noGrad()) { ... }}. */
    public static NoGrad noGrad() {
        boolean[] flag = ENABLED.get();
        boolean before = flag[0];
        flag[0] = false;
        return () -> flag[0] = before;
    }

    /** A scope that turns recording off, restoring the previous state on close. */
    @FunctionalInterface
    public interface NoGrad extends AutoCloseable {
        @Override
        void close();
    }

    /** Attaches a backward rule to {@code out} when recording is on and some input requires a gradient. */
    public static Tensor record(String op, Tensor out, Backward backward, Tensor... inputs) {
        if (!isEnabled()) return out;
        boolean any = false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) { any = true; break; }
        if (!any) return out;
        out.setGradFn(new Node(op, inputs, backward));
        return out;
    }

    /** Back-propagates {@code seed} (ones for a scalar root when null) from root into every leaf that requires grad. */
    public static void backward(Tensor root, Tensor seed) {
        if (!root.requiresGrad())
            throw new IllegalStateException("backward: the tensor " + Shapes.str(root.shape()) + " does not require grad");
        if (seed == null) {
            if (root.numel() != 1)
                throw new IllegalArgumentException("backward: a gradient is needed for non-scalar root " + Shapes.str(root.shape()));
            seed = Tensor.ones(root.backend(), root.shape());
        } else if (!java.util.Arrays.equals(seed.shape(), root.shape())) {
            throw new IllegalArgumentException("backward: gradient " + Shapes.str(seed.shape()) + " for root " + Shapes.str(root.shape()));
        }
        Node rootNode = root.gradFn();
        try (NoGrad ng = noGrad()) {
            if (rootNode == null) {
                root.accumulateGrad(seed);
                return;
            }
            List<Node> order = topologicalOrder(rootNode);
            Map<Node, Tensor> grads = new IdentityHashMap<>();
            grads.put(rootNode, seed);
            for (int i = order.size() - 1; i >= 0; i--) {
                Node node = order.get(i);
                Tensor g = grads.remove(node);
                if (node.backward == null)
                    throw new IllegalStateException("backward: the graph through '" + node.op + "' was already released; "
                            + "call backward once per forward pass");
                if (g != null) {
                    Tensor[] inGrads = node.backward.apply(g);
                    for (int k = 0; k < node.next.length; k++) {
                        if (node.inputShapes[k] == null || inGrads[k] == null) continue;
                        Tensor gk = inGrads[k];
                        if (!java.util.Arrays.equals(gk.shape(), node.inputShapes[k]))
                            throw new IllegalStateException("backward of '" + node.op + "': gradient " + Shapes.str(gk.shape())
                                    + " for input " + Shapes.str(node.inputShapes[k]));
                        if (node.next[k] != null) grads.merge(node.next[k], gk, Tensor::add);
                        else node.leaves[k].accumulateGrad(gk);
                    }
                }
                node.release();
            }
        }
    }

    private static List<Node> topologicalOrder(Node root) {
        List<Node> order = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        // Iterative post-order DFS: deep networks would overflow a recursive one.
        ArrayDeque<Node> nodes = new ArrayDeque<>();
        ArrayDeque<int[]> cursor = new ArrayDeque<>();
        nodes.push(root);
        cursor.push(new int[] {0});
        seen.add(root);
        while (!nodes.isEmpty()) {
            Node n = nodes.peek();
            int[] c = cursor.peek();
            Node[] next = n.next == null ? new Node[0] : n.next;
            if (c[0] < next.length) {
                Node in = next[c[0]++];
                if (in != null && seen.add(in)) {
                    nodes.push(in);
                    cursor.push(new int[] {0});
                }
            } else {
                nodes.pop();
                cursor.pop();
                order.add(n);
            }
        }
        return order;
    }
}
