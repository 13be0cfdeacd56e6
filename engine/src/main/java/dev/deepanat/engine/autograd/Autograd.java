package dev.deepanat.engine.autograd;

import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.profile.Layer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Define-by-run reverse-mode differentiation. Ops call {@link #op} after computing their output; {@link #backward}
 * walks the recorded graph in reverse topological order, accumulating gradients, and releases each node (and the
 * activations it saved) as soon as it is consumed, so memory falls as backward proceeds.
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

    /**
     * Starts recording op: {@code Autograd.op("conv3d", y, x, w, bias).save(xd, wd).backward((gy, node) -> ...)}.
     * Nothing is recorded or saved when recording is off or no input requires a gradient, so inference keeps nothing.
     */
    public static Recording op(String op, Tensor out, Tensor... inputs) {
        boolean any = false;
        if (isEnabled()) for (Tensor t : inputs) if (t != null && t.requiresGrad()) { any = true; break; }
        return new Recording(any ? new Node(op, out, inputs) : null, out);
    }

    /** An op being recorded; see {@link #op}. */
    public static final class Recording {
        private final Node node;
        private final Tensor out;

        private Recording(Node node, Tensor out) {
            this.node = node;
            this.out = out;
        }

        /** Keeps handles on what the backward needs (only when a gradient will flow). */
        public Recording save(Tensor... ts) {
            if (node != null) node.save(ts);
            return this;
        }

        /** Attaches the rule and returns the op's output. */
        public Tensor backward(Backward rule) {
            if (node == null) return out;
            node.backward = rule;
            out.setGradFn(node);
            MemoryScope.adopt(node);
            return out;
        }
    }

    /** Back-propagates {@code seed} (ones for a scalar root when null) from root into every leaf that requires grad. */
    public static void backward(Tensor root, Tensor seed) {
        root.requireOpen("backward");
        if (!root.requiresGrad())
            throw new IllegalStateException("backward: the tensor " + Shapes.str(root.shape()) + " does not require grad");
        if (seed == null) {
            if (root.numel() != 1)
                throw new IllegalArgumentException("backward: a gradient is needed for non-scalar root " + Shapes.str(root.shape()));
        } else if (!java.util.Arrays.equals(seed.shape(), root.shape())) {
            throw new IllegalArgumentException("backward: gradient " + Shapes.str(seed.shape()) + " for root " + Shapes.str(root.shape()));
        }
        Node rootNode = root.gradFn();
        try (NoGrad ng = noGrad(); Layer.Scope pass = Layer.set(Layer.current().inPass("backward"))) {
            Tensor first = (seed == null ? Tensor.ones(root.backend(), root.shape()) : seed.share()).persistent();
            if (rootNode == null) {
                root.accumulateGrad(first);
                first.close();
                return;
            }
            List<Node> order = topologicalOrder(rootNode);
            // Each pending gradient is held by one handle of the map's own, outside every scope.
            Map<Node, Tensor> grads = new IdentityHashMap<>();
            grads.put(rootNode, first);
            for (int i = order.size() - 1; i >= 0; i--) {
                Node node = order.get(i);
                Tensor g = grads.remove(node);
                if (g != null) {
                    if (node.backward == null)
                        throw new IllegalStateException("backward: the graph through '" + node.op + "' was already released; "
                                + "call backward once per forward pass, inside the scope that ran it");
                    // The rule's temporaries, and the gradients it returns, die with this scope; what must live on is
                    // re-held below (a map handle, or the leaf's own gradient).
                    try (MemoryScope s = MemoryScope.open(); Layer.Scope inLayer = Layer.set(node.layer)) {
                        Tensor[] inGrads = node.backward.apply(g, node);
                        for (int k = 0; k < node.next.length; k++) {
                            if (node.inputShapes[k] == null || inGrads[k] == null) continue;
                            Tensor gk = inGrads[k];
                            if (!java.util.Arrays.equals(gk.shape(), node.inputShapes[k]))
                                throw new IllegalStateException("backward of '" + node.op + "': gradient " + Shapes.str(gk.shape())
                                        + " for input " + Shapes.str(node.inputShapes[k]));
                            if (node.next[k] != null) merge(grads, node.next[k], gk);
                            else node.leaves[k].accumulateGrad(gk);
                        }
                    }
                    g.close();
                }
                node.release();
            }
            for (Tensor left : grads.values()) left.close();
        }
    }

    /** grads[n] += g, in place when the pending gradient's storage is the map's alone. */
    private static void merge(Map<Node, Tensor> grads, Node n, Tensor g) {
        Tensor prev = grads.get(n);
        if (prev == null) {
            grads.put(n, g.share().persistent());
        } else if (prev.isExclusive()) {
            Tensor gd = g.contiguous();
            prev.backend().axpy(1f, gd.storage(), prev.storage(), prev.numel());
        } else {
            grads.put(n, prev.add(g).persistent());
            prev.close();
        }
    }

    /**
     * The memory a backward through this graph needs at least, in floats: {@code [saved, gradients]} where saved counts
     * every storage the graph's nodes hold (each once) and gradients the two largest op outputs, whose gradients can be
     * alive at once. For tests that bound a step's high-water mark.
     */
    public static long[] backwardFootprint(Tensor root) {
        if (root.gradFn() == null) return new long[] {0, 0};
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        long saved = 0, top1 = 0, top2 = 0;
        for (Node n : topologicalOrder(root.gradFn())) {
            for (Tensor t : n.savedTensors()) if (seen.add(t.storage())) saved += t.storage().size();
            long o = n.outputNumel();
            if (o > top1) { top2 = top1; top1 = o; } else if (o > top2) top2 = o;
        }
        return new long[] {saved, top1 + top2};
    }

    /** Every node the given tensors' values were computed through (an identity set; empty without any graph). */
    public static Set<Node> graphOf(List<Tensor> roots) {
        Set<Node> all = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor t : roots) if (t.gradFn() != null && !all.contains(t.gradFn())) all.addAll(topologicalOrder(t.gradFn()));
        return all;
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
