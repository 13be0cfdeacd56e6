package dev.deepanat.engine.optim;

import dev.deepanat.engine.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Stochastic gradient descent with optional momentum (PyTorch's form: buf ← μ·buf + g; p ← p − lr·buf). */
public final class Sgd implements Optimizer {
    private final List<Tensor> params;
    private final List<Tensor> buffers = new ArrayList<>();
    private final float lr, momentum;

    public Sgd(List<Tensor> params, float lr, float momentum) {
        this.params = List.copyOf(params);
        this.lr = lr;
        this.momentum = momentum;
        for (Tensor p : this.params) buffers.add(momentum == 0 ? null : Tensor.zeros(p.backend(), p.shape()).persistent());
    }

    @Override
    public void step() {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p.grad() == null) continue;
            Tensor g = p.grad();
            Tensor dir = g;
            if (momentum != 0) {
                Tensor buf = buffers.get(i);
                p.backend().scale(momentum, buf.storage(), buf.numel());
                p.backend().axpy(1f, g.storage(), buf.storage(), buf.numel());
                dir = buf;
            }
            p.backend().axpy(-lr, dir.storage(), p.storage(), p.numel());
        }
    }

    @Override
    public List<Tensor> parameters() {
        return params;
    }
}
