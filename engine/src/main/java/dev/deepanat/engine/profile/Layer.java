package dev.deepanat.engine.profile;

/**
 * The layer and pass the current thread is computing, for naming profiled kernel calls: models open a scope per layer
 * ({@code try (var l = Layer.enter("enc0")) { ... }}, nested scopes join with dots: "enc0.1"), every autograd node
 * remembers the context it was recorded in, and the backward runs each node's rule in that layer with pass
 * "backward". Costs one thread-local read per scope; nothing is recorded unless a {@code ProfiledBackend} asks.
 */
public final class Layer {
    /** A layer's dotted name ("" outside every layer) and the pass: "forward", "backward" or "update". */
    public record Context(String layer, String pass) {
        public Context inPass(String p) {
            return new Context(layer, p);
        }
    }

    /** Closes a scope, restoring the context it replaced. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    public static final Context ROOT = new Context("", "forward");
    private static final ThreadLocal<Context[]> CURRENT = ThreadLocal.withInitial(() -> new Context[] {ROOT});

    private Layer() {}

    public static Context current() {
        return CURRENT.get()[0];
    }

    /** Enters a child layer of the current one, in the current pass. */
    public static Scope enter(String name) {
        Context c = current();
        return set(new Context(c.layer().isEmpty() ? name : c.layer() + "." + name, c.pass()));
    }

    /** Enters a top-level layer in a given pass (e.g. "adam", "update"). */
    public static Scope enter(String name, String pass) {
        return set(new Context(name, pass));
    }

    /** Makes exactly this context current. */
    public static Scope set(Context c) {
        Context[] slot = CURRENT.get();
        Context before = slot[0];
        slot[0] = c;
        return () -> slot[0] = before;
    }
}
