package dev.deepanat.engine.nn;

import dev.deepanat.engine.Tensor;

/** Children applied in order, named "0", "1", ... as in PyTorch. */
public final class Sequential extends Module {
    private final Module[] layers;

    public Sequential(Module... layers) {
        this.layers = layers.clone();
        for (int i = 0; i < layers.length; i++) registerModule(Integer.toString(i), layers[i]);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Module m : layers) {
            Tensor next = m.forward(h);
            if (h != x && next != h) h.close(); // an intermediate: what backward needs of it, its node holds
            h = next;
        }
        return h;
    }
}
