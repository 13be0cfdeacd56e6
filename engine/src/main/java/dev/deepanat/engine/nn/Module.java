package dev.deepanat.engine.nn;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.ops.Views;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer or model: named parameters (trainable leaves), named buffers (state such as running statistics) and named
 * children, in registration order. Names nest with dots ("enc1.conv.weight"), as in PyTorch's state dicts.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private boolean frozen;

    public abstract Tensor forward(Tensor x);

    /** Parameters and buffers belong to the module, outside every {@link dev.deepanat.engine.MemoryScope}. */
    protected Tensor registerParameter(String name, Tensor t) {
        checkName(name);
        t.requiresGrad(true).persistent();
        params.put(name, t);
        return t;
    }

    /**
     * Takes a parameter out of this module and hands its tensor to the caller, who re-registers it (spectral
     * normalization turns 'weight' into 'weight_orig', as PyTorch's {@code spectral_norm} does).
     */
    protected Tensor unregisterParameter(String name) {
        Tensor t = params.remove(name);
        if (t == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameter '" + name + "'");
        return t;
    }

    protected Tensor registerBuffer(String name, Tensor t) {
        checkName(name);
        t.persistent();
        buffers.put(name, t);
        return t;
    }

    protected <M extends Module> M registerModule(String name, M m) {
        checkName(name);
        children.put(name, m);
        return m;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".") || params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": bad or duplicate member name '" + name + "'");
    }

    /** The current tensor of a registered parameter or buffer (after {@link #to} or loading it may be a new one). */
    protected Tensor param(String name) {
        return params.get(name);
    }

    protected Tensor buffer(String name) {
        return buffers.get(name);
    }

    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return out;
    }

    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, true);
        return out;
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    public Map<String, Module> children() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** Parameters and buffers by dotted name: what a checkpoint stores. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean withParams, boolean withBuffers) {
        if (withParams) params.forEach((k, v) -> out.put(prefix + k, v));
        if (withBuffers) buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, withParams, withBuffers));
    }

    /**
     * Copies values into this module's parameters and buffers by name. Strict: every entry must exist on both sides
     * with the same shape; the error names the entry and both shapes.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> mine = stateDict();
        for (String k : mine.keySet())
            if (!state.containsKey(k)) throw new IllegalArgumentException("loadStateDict: missing entry '" + k + "'");
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor dst = mine.get(e.getKey());
            if (dst == null) throw new IllegalArgumentException("loadStateDict: unexpected entry '" + e.getKey() + "'");
            Tensor src = e.getValue();
            if (!Arrays.equals(dst.shape(), src.shape()))
                throw new IllegalArgumentException("loadStateDict: '" + e.getKey() + "' has shape " + Shapes.str(src.shape())
                        + " but the model expects " + Shapes.str(dst.shape()));
            Tensor moved = src.backend() == dst.backend() ? src : Views.transfer(src, dst.backend());
            dst.copyFrom(moved);
            if (moved != src) moved.close();
        }
    }

    /**
     * Moves every parameter and buffer to a backend (parameters stay trainable leaves); the old copies are freed, so a
     * tensor taken from this module before the move must not be used after it.
     */
    public Module to(Backend b) {
        params.replaceAll((k, t) -> moved(t, b, t.requiresGrad()));
        buffers.replaceAll((k, t) -> moved(t, b, false));
        children.values().forEach(m -> m.to(b));
        return this;
    }

    private static Tensor moved(Tensor t, Backend b, boolean requiresGrad) {
        if (t.backend() == b) return t;
        Tensor m = Views.transfer(t, b).requiresGrad(requiresGrad).persistent();
        t.close();
        return m;
    }

    /** Frees every parameter, gradient and buffer (the module is unusable afterwards). */
    public void close() {
        params.values().forEach(Tensor::close);
        buffers.values().forEach(Tensor::close);
        children.values().forEach(Module::close);
    }

    public Module train(boolean on) {
        training = on;
        children.values().forEach(m -> m.train(on));
        return this;
    }

    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /**
     * Freezes or unfreezes this module and its children, as Keras' {@code trainable = False} on a model: a frozen
     * module's parameters do not require gradients (so a backward through it reaches its input but leaves them alone)
     * and its forward updates no state: no batch-norm running averages, no spectral-norm power iteration. The mode is
     * untouched: in training mode a frozen batch norm still normalizes with the batch's statistics. A GAN's generator
     * step runs the discriminator frozen; {@code freeze(false)} makes every parameter trainable again.
     */
    public Module freeze(boolean on) {
        frozen = on;
        params.values().forEach(p -> p.requiresGrad(!on));
        children.values().forEach(m -> m.freeze(on));
        return this;
    }

    public boolean isFrozen() {
        return frozen;
    }

    /** Whether a forward now updates this module's state (running statistics, power iterations): training, not frozen. */
    protected boolean updatesState() {
        return training && !frozen;
    }

    public void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }
}
