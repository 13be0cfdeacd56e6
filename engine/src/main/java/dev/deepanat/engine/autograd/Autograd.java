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
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (NoGrad ng = noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                Node node = t.gradFn();
                if (node == null) {
                    if (g != null && t.requiresGrad()) t.accumulateGrad(g);
                    continue;
                }
                if (node.backward == null)
                    throw new IllegalStateException("backward: the graph through '" + node.op + "' was already released; "
                            + "call backward once per forward pass");
                if (g != null) {
                    Tensor[] inGrads = node.backward.apply(g);
                    for (int k = 0; k < node.inputs.length; k++) {
                        Tensor in = node.inputs[k];
                        if (in == null || !in.requiresGrad() || inGrads[k] == null) continue;
                        Tensor gk = inGrads[k];
                        if (!java.util.Arrays.equals(gk.shape(), in.shape()))
                            throw new IllegalStateException("backward of '" + node.op + "': gradient " + Shapes.str(gk.shape())
                                    + " for input " + Shapes.str(in.shape()));
                        grads.merge(in, gk, Tensor::add);
                    }
                }
                node.release();
                t.setGradFn(null);
            }
        }
    }

    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        // Iterative post-order DFS: deep U-Nets would overflow a recursive one.
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Node node = t.gradFn();
            Tensor[] ins = node == null || node.inputs == null ? new Tensor[0] : node.inputs;
            if (next < ins.length) {
                top[1] = next + 1;
                Tensor in = ins[next];
                if (in != null && in.requiresGrad() && seen.add(in)) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
