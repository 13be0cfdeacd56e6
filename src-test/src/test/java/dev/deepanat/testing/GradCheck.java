package dev.deepanat.testing;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backends;

import java.util.SplittableRandom;
import java.util.function.Function;

import static dev.deepanat.testing.Assertions2.assertClose;

/**
 * Finite-difference gradient check on the reference backend: L = Σ f(inputs) ⊙ R for a fixed random R; the
 * analytical gradient of every input is compared with central differences of step h.
 */
public final class GradCheck {
    private GradCheck() {}

    public static Tensor input(SplittableRandom rng, int... shape) {
        return Tensor.randn(rng, 0, 1, shape).to(Backends.reference()).detach();
    }

    /** Values spread evenly at least `gap` apart in random order, away from 0: safe for kinks (max, |x|, ReLU). */
    public static Tensor distinct(SplittableRandom rng, float gap, int... shape) {
        int n = (int) dev.deepanat.engine.Shapes.numel(shape);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i - n / 2f + 0.5f) * gap + (i >= n / 2 ? gap / 2 : -gap / 2);
        for (int i = n - 1; i > 0; i--) { int j = rng.nextInt(i + 1); float t = v[i]; v[i] = v[j]; v[j] = t; }
        return Tensor.of(Backends.reference(), v, shape);
    }

    public static void check(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(what, 1e-2f, 1e-2, f, inputs);
    }

    public static void check(String what, float h, double tol, Function<Tensor[], Tensor> f, Tensor... inputs) {
        Tensor[] leaves = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) leaves[i] = inputs[i].detach().requiresGrad(true);
        Tensor out = f.apply(leaves);
        SplittableRandom rng = new SplittableRandom(99);
        float[] r = new float[(int) out.numel()];
        for (int i = 0; i < r.length; i++) r[i] = (float) (rng.nextDouble() * 2 - 1);
        Tensor weights = Tensor.of(Backends.reference(), r, out.shape());
        out.mul(weights).sum().backward();
        for (int k = 0; k < leaves.length; k++) {
            float[] x = inputs[k].toArray();
            float[] numeric = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                float orig = x[i];
                x[i] = orig + h;
                double plus = loss(f, inputs, k, x, weights);
                x[i] = orig - h;
                double minus = loss(f, inputs, k, x, weights);
                x[i] = orig;
                numeric[i] = (float) ((plus - minus) / (2 * h));
            }
            Tensor g = leaves[k].grad();
            float[] analytic = g == null ? new float[x.length] : g.toArray();
            assertClose(numeric, analytic, tol, what + ": gradient of input " + k);
        }
    }

    private static double loss(Function<Tensor[], Tensor> f, Tensor[] inputs, int k, float[] xk, Tensor weights) {
        try (Autograd.NoGrad ng = Autograd.noGrad()) {
            Tensor[] in = inputs.clone();
            in[k] = Tensor.of(Backends.reference(), xk, inputs[k].shape());
            float[] o = f.apply(in).toArray(), w = weights.toArray();
            double s = 0;
            for (int i = 0; i < o.length; i++) s += (double) o[i] * w[i];
            return s;
        }
    }
}
