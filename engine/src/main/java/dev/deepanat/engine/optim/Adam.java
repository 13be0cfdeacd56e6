package dev.deepanat.engine.optim;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.AdamStep;

import java.util.ArrayList;
import java.util.List;

/** Adam with bias correction, the same update as torch.optim.Adam, run by each parameter's backend in place. */
public final class Adam implements Optimizer {
    private final List<Tensor> params;
    private final List<Tensor> m = new ArrayList<>(), v = new ArrayList<>();
    private final float lr, beta1, beta2, eps, weightDecay;
    private int step;

    public Adam(List<Tensor> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f, 0f);
    }

    public Adam(List<Tensor> params, float lr, float beta1, float beta2, float eps, float weightDecay) {
        this.params = List.copyOf(params);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (Tensor p : this.params) {
            if (!p.isDense()) throw new IllegalArgumentException("Adam: parameter " + p + " is not a dense leaf");
            m.add(Tensor.zeros(p.backend(), p.shape()).persistent());
            v.add(Tensor.zeros(p.backend(), p.shape()).persistent());
        }
    }

    @Override
    public void step() {
        step++;
        AdamStep s = new AdamStep(lr, beta1, beta2, eps, weightDecay, step);
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p.grad() == null) continue;
            p.requireOpen("Adam");
            p.backend().adam(s, p.storage(), p.grad().storage(), m.get(i).storage(), v.get(i).storage(), p.numel());
        }
    }

    public int stepCount() {
        return step;
    }

    /** Parameter i's first-moment estimate, live: copy a saved state into it to resume a run. */
    public Tensor firstMoment(int i) {
        return m.get(i);
    }

    /** Parameter i's second-moment estimate, live, as {@link #firstMoment}. */
    public Tensor secondMoment(int i) {
        return v.get(i);
    }

    /** Sets the step count (the bias correction's t) when resuming from saved moments. */
    public void restoreStepCount(int steps) {
        if (steps < 0) throw new IllegalArgumentException("Adam: step count " + steps + " < 0");
        step = steps;
    }

    /** Frees the moment buffers. */
    public void close() {
        m.forEach(Tensor::close);
        v.forEach(Tensor::close);
    }

    @Override
    public List<Tensor> parameters() {
        return params;
    }
}
