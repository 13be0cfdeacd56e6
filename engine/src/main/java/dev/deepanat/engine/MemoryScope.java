package dev.deepanat.engine;

import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.autograd.Node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A region of a thread's work whose tensors die with it: every tensor created while a scope is open belongs to the
 * innermost one, and closing the scope closes each tensor it still owns. Closing a tensor only drops its handle: an
 * activation that an autograd node saved stays alive, held by the node, until backward consumes that node.
 *
 * <pre>{@code
 * try (MemoryScope step = MemoryScope.open()) {       // one training step
 *     Tensor loss = Losses.maskedL1(net.forward(x), y, mask);
 *     loss.backward();                                  // frees each saved activation as its node is consumed
 *     adam.step();
 * }                                                     // every intermediate is freed here, at the latest
 * }</pre>
 *
 * {@link #keep} hands a result to the enclosing scope (or to the caller when there is none); {@link Tensor#persistent()}
 * takes a tensor out of every scope (parameters, gradients, optimizer state). Graph nodes recorded inside the outermost
 * scope are released when it closes, so a step whose loss is never back-propagated leaks nothing either. Scopes nest
 * and must be closed in the reverse order of opening, on the thread that opened them.
 */
public final class MemoryScope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<MemoryScope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final MemoryScope parent;
    private final Thread thread = Thread.currentThread();
    private List<Tensor> tensors = new ArrayList<>();
    private List<Node> nodes = new ArrayList<>();
    /** Tensors this scope handed to the caller (outermost scopes only): their graphs must survive it. */
    private List<Tensor> handedOut = new ArrayList<>();
    private boolean closed;

    private MemoryScope(MemoryScope parent) {
        this.parent = parent;
    }

    public static MemoryScope open() {
        ArrayDeque<MemoryScope> stack = STACK.get();
        MemoryScope s = new MemoryScope(stack.peek());
        stack.push(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    static MemoryScope current() {
        return STACK.get().peek();
    }

    /** Called by every new tensor handle. */
    static void adopt(Tensor t) {
        MemoryScope s = current();
        if (s != null) {
            s.tensors.add(t);
            t.owner = s;
        }
    }

    /** Called by autograd for every recorded node, so that an abandoned graph is released with its step. */
    public static void adopt(Node n) {
        MemoryScope s = current();
        if (s != null) s.nodes.add(n);
    }

    /**
     * Lets t outlive this scope: the enclosing scope owns it now, or the caller when there is none. A tensor this scope
     * does not own (an input returned unchanged) is left as it is. Returns t.
     */
    public Tensor keep(Tensor t) {
        if (t == null || t.owner != this) return t;
        t.owner = parent;
        if (parent != null) parent.tensors.add(t);
        else handedOut.add(t);
        return t;
    }

    @Override
    public void close() {
        if (closed) return;
        ArrayDeque<MemoryScope> stack = STACK.get();
        if (Thread.currentThread() != thread || stack.peek() != this)
            throw new IllegalStateException("MemoryScope: closed out of order or on another thread");
        stack.pop();
        closed = true;
        for (Tensor t : tensors) {
            if (t.owner != this) continue; // kept, or made persistent
            t.owner = null;
            t.close();
        }
        tensors = null;
        // A node may be reachable from a tensor kept past this scope, so only the outermost scope releases nodes, and
        // only those no tensor it handed to the caller depends on (a loss computed in a library function's scope).
        if (parent != null) {
            parent.nodes.addAll(nodes);
        } else {
            java.util.Set<Node> needed = Autograd.graphOf(handedOut);
            for (Node n : nodes) if (!needed.contains(n)) n.release();
        }
        nodes = null;
        handedOut = null;
    }
}
