package dev.deepanat.engine;

import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.init.Initializers;
import dev.deepanat.engine.nn.Conv2d;
import dev.deepanat.engine.nn.Linear;
import dev.deepanat.engine.nn.Module;
import dev.deepanat.engine.nn.SpectralNorm;
import dev.deepanat.engine.ops.Convolution;
import dev.deepanat.engine.ops.Padding;
import dev.deepanat.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.deepanat.testing.Assertions2.assertClose;
import static dev.deepanat.testing.GradCheck.check;
import static dev.deepanat.testing.GradCheck.input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spectral normalization: its gradient by finite differences, the power iteration's convergence, and parity with
 * PyTorch 1.13's {@code spectral_norm} (golden files from make_gan_golden.py) on every backend.
 */
class SpectralNormTest {
    static final double TOL = 1e-4;
    private final SplittableRandom rng = new SplittableRandom(17);

    static List<String> backends() {
        return Backends.all().stream().map(Backend::name).toList();
    }

    /** u and v held constant (as in backward): W/σ(W) and a convolution through it. */
    @Test void gradientMatchesFiniteDifferences() {
        Tensor u = unit(4), v = unit(2 * 3 * 3);
        check("W / sigma", t -> SpectralNorm.normalized(t[0], u, v, false), input(rng, 4, 2, 3, 3));
        check("conv2d with W / sigma", t -> {
            Tensor w = SpectralNorm.normalized(t[1], u, v, false);
            return Convolution.conv2d(t[0], w, null, new int[] {2, 2}, Padding.same());
        }, input(rng, 2, 2, 6, 5), input(rng, 4, 2, 3, 3));
        Tensor u3 = unit(3), v5 = unit(5);
        check("linear weight", t -> SpectralNorm.normalized(t[0], u3, v5, false), input(rng, 3, 5));
    }

    private Tensor unit(int n) {
        float[] a = input(rng, n).toArray();
        double s = 0;
        for (float f : a) s += f * f;
        for (int i = 0; i < n; i++) a[i] /= (float) Math.sqrt(s);
        return Tensor.of(Backends.reference(), a, n);
    }

    /** After 20 training forwards the normalized weight's largest singular value is 1 within 1e-2. */
    @Test void powerIterationNormalizesTheSpectrum() {
        SplittableRandom r = new SplittableRandom(3);
        Conv2d conv = new Conv2d(4, 8, 3, 1, Padding.same(), true, Initializers.normal(0, 0.3), r).spectralNorm(r);
        Linear lin = new Linear(12, 6, true, Initializers.glorotUniform(), r).spectralNorm(r);
        Tensor x = Tensor.randn(r, 0, 1, 2, 4, 5, 5), xl = Tensor.randn(r, 0, 1, 3, 12);
        for (int i = 0; i < 20; i++) {
            try (MemoryScope s = MemoryScope.open()) {
                conv.forward(x);
                lin.forward(xl);
            }
        }
        for (Module m : List.of(conv, lin)) {
            Map<String, Tensor> st = m.stateDict();
            Tensor w = st.get("weight_orig");
            double before = largestSingularValue(w.toArray(), w.dim(0));
            Tensor wn = SpectralNorm.normalized(w.detach(), st.get("weight_u"), st.get("weight_v"), false);
            double after = largestSingularValue(wn.toArray(), w.dim(0));
            assertTrue(before > 1.5, "the raw weight's norm " + before + " should be far from 1 for the test to mean anything");
            assertEquals(1.0, after, 1e-2, m.getClass().getSimpleName() + ": largest singular value after 20 power iterations");
        }
    }

    /** σ₁ of the [rows, n/rows] matrix, by 2000 double-precision power iterations on MᵀM. */
    private static double largestSingularValue(float[] m, int rows) {
        int cols = m.length / rows;
        double[] v = new double[cols];
        java.util.Arrays.fill(v, 1);
        double sigma = 0;
        for (int it = 0; it < 2000; it++) {
            double[] mv = new double[rows], mtmv = new double[cols];
            for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) mv[i] += m[i * cols + j] * v[j];
            for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) mtmv[j] += m[i * cols + j] * mv[i];
            double n = 0;
            for (double d : mtmv) n += d * d;
            n = Math.sqrt(n);
            for (int j = 0; j < cols; j++) v[j] = mtmv[j] / n;
            sigma = Math.sqrt(n);
        }
        return sigma;
    }

    @ParameterizedTest @MethodSource("backends")
    void conv2dMatchesPyTorch(String backend) {
        Backend be = Backends.get(backend);
        SplittableRandom r = new SplittableRandom(1);
        Conv2d conv = new Conv2d(3, 5, 3, 1, Padding.of(1), true, Initializers.normal(0, 1), r).spectralNorm(r);
        checkParity("spectral_norm_conv2d", conv, be);
    }

    @ParameterizedTest @MethodSource("backends")
    void linearMatchesPyTorch(String backend) {
        Backend be = Backends.get(backend);
        SplittableRandom r = new SplittableRandom(1);
        checkParity("spectral_norm_linear", new Linear(6, 4, true, Initializers.normal(0, 1), r).spectralNorm(r), be);
    }

    /** One training forward (power iteration, u and v updated in place), backward, then an eval forward. */
    private static void checkParity(String name, Module layer, Backend be) {
        long live = liveBytes(be);
        try (MemoryScope scope = MemoryScope.open()) { // owns the golden tensors and the graph
            Map<String, Tensor> t = Golden.torch(name, be);
            layer.to(be);
            assertEquals(List.of("bias", "weight_orig", "weight_u", "weight_v"), List.copyOf(layer.stateDict().keySet()),
                    "PyTorch's state dict names and order");
            Map<String, Tensor> state = new LinkedHashMap<>();
            t.forEach((k, v) -> { if (k.startsWith("param.")) state.put(k.substring(6), v); });
            layer.loadStateDict(state);
            Tensor x = t.get("x").requiresGrad(true);
            layer.train(true);
            Tensor y = layer.forward(x);
            assertClose(t.get("y"), y, TOL, name + ": training output");
            Map<String, Tensor> st = layer.stateDict();
            assertClose(t.get("u1"), st.get("weight_u"), TOL, name + ": u after the power iteration");
            assertClose(t.get("v1"), st.get("weight_v"), TOL, name + ": v after the power iteration");
            y.backward(t.get("gy"));
            assertClose(t.get("dx"), x.grad(), TOL, name + ": input gradient");
            layer.namedParameters().forEach((k, p) -> assertClose(t.get("grad." + k), p.grad(), TOL, name + ": gradient of " + k));
            layer.eval();
            float[] u1 = st.get("weight_u").toArray();
            Tensor yEval = layer.forward(x.detach());
            assertClose(t.get("y_eval"), yEval, TOL, name + ": eval output");
            assertArrayEquals(u1, layer.stateDict().get("weight_u").toArray(), "eval runs no power iteration");
        } finally {
            layer.close();
        }
        assertEquals(live, liveBytes(be), "everything freed");
    }

    private static long liveBytes(Backend be) {
        return be instanceof dev.deepanat.engine.backend.checked.CheckedBackend c ? c.memoryStats().liveBytes() : 0;
    }
}
