package dev.deepanat.model;

import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.backend.checked.CheckedBackend;
import dev.deepanat.engine.loss.Losses;
import dev.deepanat.engine.nn.BatchNorm;
import dev.deepanat.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.deepanat.testing.Assertions2.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The discriminator against PyTorch 1.13 (golden/torch/discriminator.safetensors from make_gan_golden.py: the same
 * layers with spectral norm and Keras 'same' padding, base filters 8 to keep the file small): training-mode output,
 * every parameter gradient of BCE(D(x), [1, 0]), every buffer after the forward (u, v, running statistics) and the
 * eval-mode output, on every backend; and freezing.
 */
class DiscriminatorParityTest {
    static final double TOL = 1e-4;

    static List<String> backends() {
        return Backends.all().stream().map(Backend::name).toList();
    }

    @ParameterizedTest @MethodSource("backends")
    void forwardGradientsAndBuffersMatchPyTorch(String backend) {
        Backend be = Backends.get(backend);
        long live = liveBytes(be);
        Discriminator d = new Discriminator(64, 8, true, new SplittableRandom(5));
        try (MemoryScope scope = MemoryScope.open()) { // owns the golden tensors, the graph and the activations
            Map<String, Tensor> t = Golden.torch("discriminator", be);
            d.to(be);
            Map<String, Tensor> state = new LinkedHashMap<>();
            t.forEach((k, v) -> { if (k.startsWith("param.")) state.put(k.substring(6), v); });
            assertEquals(state.keySet(), d.stateDict().keySet(), "parameter and buffer names as the PyTorch model's");
            d.loadStateDict(state);
            d.train(true);
            Tensor y = d.forward(t.get("x"));
            assertClose(t.get("y"), y, TOL, "training output");
            Tensor loss = Losses.bce(y, t.get("target"));
            assertClose(t.get("loss").toArray(), new float[] {loss.item()}, TOL, "BCE loss");
            loss.backward();
            d.namedParameters().forEach((k, p) -> assertClose(t.get("grad." + k), p.grad(), TOL, "gradient of " + k));
            d.namedBuffers().forEach((k, b) -> assertClose(t.get("after." + k), b, TOL, "buffer " + k + " after the forward"));
            d.eval();
            assertClose(t.get("y_eval"), d.forward(t.get("x")), TOL, "eval output");
        } finally {
            d.close();
        }
        assertEquals(live, liveBytes(be), "everything freed once the scope and the model are closed");
    }

    /** Live bytes on the checked backend (the only one that counts them), else 0. */
    static long liveBytes(Backend be) {
        return be instanceof CheckedBackend c ? c.memoryStats().liveBytes() : 0;
    }

    /** The paper's model: 64 base filters, 512·4·4 features into a dense 1024; PyTorch's SRGAN count. */
    @Test void paperModelShapeAndNames() {
        Discriminator d = Discriminator.paper(true, new SplittableRandom(1));
        // convs 9·(64 + 64·64 + 64·128 + 128² + 128·256 + 256² + 256·512 + 512²) without bias, BN γ and β on
        // 64 + 2·128 + 2·256 + 2·512 channels, dense 8192·1024 + 1024 and 1024 + 1: 13,076,673 as PyTorch counts SRGAN's.
        long convs = 9L * (64 + 64 * 64 + 64 * 128 + 128 * 128 + 128 * 256 + 256 * 256 + 256 * 512 + 512 * 512);
        long bn = 2L * (64 + 128 + 128 + 256 + 256 + 512 + 512);
        assertEquals(convs + bn + 8192L * 1024 + 1024 + 1024 + 1, d.parameterCount());
        assertArrayEquals(new int[] {1024, 8192}, d.stateDict().get("fc0.weight_orig").shape());
        assertArrayEquals(new int[] {8192}, d.stateDict().get("fc0.weight_v").shape());
        assertArrayEquals(new int[] {512, 512, 3, 3}, d.stateDict().get("blocks.6.conv.weight_orig").shape());
        assertArrayEquals(new int[] {512 * 9}, d.stateDict().get("blocks.6.conv.weight_v").shape());
        assertTrue(d.stateDict().containsKey("blocks.6.bn.running_var"));
        d.close();
        Discriminator plain = Discriminator.paper(false, new SplittableRandom(1));
        assertTrue(plain.stateDict().containsKey("fc0.weight") && !plain.stateDict().containsKey("fc0.weight_u"));
        assertEquals(convs + bn + 8192L * 1024 + 1024 + 1024 + 1, plain.parameterCount());
        plain.close();
    }

    /**
     * Frozen in training mode (the GAN's generator step): a forward and backward change no u, v, running statistic or
     * parameter and give parameters no gradient, while the input gets one; unfrozen, the same step updates the state.
     */
    @Test void frozenDiscriminatorUpdatesNothingButPassesGradients() {
        SplittableRandom r = new SplittableRandom(9);
        Discriminator d = new Discriminator(16, 4, true, r);
        Tensor x = Tensor.randn(r, 0, 1, 3, 1, 16, 16);
        Tensor labels = Tensor.of(new float[] {1, 1, 1}, 3, 1);
        // A few training forwards first, as the discriminator's own steps would: with the initial random u and v, σ is
        // no estimate of the norm yet and the saturated sigmoid would pass no gradient.
        for (int i = 0; i < 3; i++) try (MemoryScope s = MemoryScope.open()) { d.forward(x); }
        Map<String, float[]> before = snapshot(d);
        d.train(true).freeze(true);
        assertTrue(d.isFrozen() && d.isTraining());
        try (MemoryScope s = MemoryScope.open()) {
            Tensor xi = x.detach().requiresGrad(true);
            Losses.bce(d.forward(xi), labels).backward();
            assertNotNull(xi.grad(), "the gradient reaches the input");
            float[] g = xi.grad().toArray();
            assertTrue(java.util.stream.IntStream.range(0, g.length).anyMatch(i -> g[i] != 0), "a non-zero input gradient");
        }
        d.namedParameters().forEach((k, p) -> {
            assertFalse(p.requiresGrad(), k + " requires no gradient while frozen");
            assertNull(p.grad(), k + " got a gradient while frozen");
        });
        snapshot(d).forEach((k, v) -> assertArrayEquals(before.get(k), v, k + " changed in a frozen forward and backward"));

        d.freeze(false);
        d.namedParameters().forEach((k, p) -> assertTrue(p.requiresGrad(), k + " trainable again"));
        try (MemoryScope s = MemoryScope.open()) {
            Losses.bce(d.forward(x), labels).backward();
        }
        Map<String, float[]> after = snapshot(d);
        for (String k : List.of("conv0.weight_u", "fc0.weight_v", "blocks.3.bn.running_mean", "blocks.3.bn.running_var"))
            assertFalse(java.util.Arrays.equals(before.get(k), after.get(k)), k + " updated by an unfrozen training forward");
        d.namedParameters().forEach((k, p) -> assertNotNull(p.grad(), k + " gets a gradient when unfrozen"));
        d.close();
    }

    /** A frozen batch norm in training mode normalizes with the batch's statistics and leaves the running ones. */
    @Test void frozenBatchNormUsesBatchStatistics() {
        SplittableRandom r = new SplittableRandom(4);
        BatchNorm bn = BatchNorm.of2d(3);
        bn.freeze(true);
        Tensor x = Tensor.randn(r, 2, 3, 4, 3, 5, 5);
        float[] y = bn.forward(x).toArray();
        for (int c = 0; c < 3; c++) {
            double sum = 0, sq = 0;
            for (int n = 0; n < 4; n++) for (int i = 0; i < 25; i++) { double v = y[(n * 3 + c) * 25 + i]; sum += v; sq += v * v; }
            assertEquals(0, sum / 100, 1e-5, "channel " + c + " mean");
            assertEquals(1, sq / 100, 1e-3, "channel " + c + " variance");
        }
        assertArrayEquals(new float[] {0, 0, 0}, bn.stateDict().get("running_mean").toArray());
        assertArrayEquals(new float[] {1, 1, 1}, bn.stateDict().get("running_var").toArray());
        bn.close();
    }

    private static Map<String, float[]> snapshot(Discriminator d) {
        Map<String, float[]> m = new LinkedHashMap<>();
        d.stateDict().forEach((k, v) -> m.put(k, v.toArray()));
        return m;
    }
}
