package dev.deepanat.engine;

import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.backend.MemoryStats;
import dev.deepanat.engine.backend.Storage;
import dev.deepanat.engine.backend.checked.CheckedBackend;
import dev.deepanat.engine.loss.Losses;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import dev.deepanat.train.TrainingStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.AssertionFailedError;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's memory model, proved on the checked backend (off-heap, counting, poisoning): a whole U-Net training
 * step leaks nothing, talks to the host only when the caller reads the loss, and peaks within 1.1× of what its
 * graph must hold; a leak and a use after free are caught.
 */
class MemoryModelTest {
    static final CheckedBackend CHECKED = (CheckedBackend) Backends.get("checked");
    static final int BLOCK = 16;

    /** A small U-Net on the checked device with its optimizer and one block of data. */
    record Setup(UNet3d net, Adam adam, Tensor x, Tensor target, Tensor mask) implements AutoCloseable {
        static Setup of(boolean batchNorm) {
            SplittableRandom rng = new SplittableRandom(5);
            UNet3d net = new UNet3d(new UNetConfig(11, 1, 4, 3, batchNorm), rng);
            net.to(CHECKED);
            Tensor x = Tensor.randn(rng, 0, 1, 1, 11, BLOCK, BLOCK, BLOCK).to(CHECKED).persistent();
            Tensor target = Tensor.randn(rng, 0, 1, 1, 1, BLOCK, BLOCK, BLOCK).to(CHECKED).persistent();
            float[] m = new float[BLOCK * BLOCK * BLOCK];
            for (int i = 0; i < m.length; i++) m[i] = i % 5 == 0 ? 0f : 1f;
            Tensor mask = Tensor.of(CHECKED, m, 1, 1, BLOCK, BLOCK, BLOCK).persistent();
            return new Setup(net, new Adam(net.parameters(), 1e-3f), x, target, mask);
        }

        @Override
        public void close() {
            adam.close();
            net.close();
            x.close();
            target.close();
            mask.close();
        }
    }

    /** Runs step and fails, listing what is still alive and where it was allocated, when live memory grew. */
    static void assertNoLeak(String what, Runnable step) {
        long before = CHECKED.memoryStats().liveBytes();
        java.util.Set<Long> alive = CHECKED.liveStorages().keySet();
        step.run();
        long after = CHECKED.memoryStats().liveBytes();
        if (after != before) {
            java.util.Map<Long, String> now = CHECKED.liveStorages();
            now.keySet().removeAll(alive);
            throw new AssertionFailedError(what + " leaked " + (after - before) + " bytes: " + String.join("; ", now.values()));
        }
    }

    @ParameterizedTest(name = "batch norm {0}")
    @ValueSource(booleans = {false, true})
    void tenTrainingStepsLeakNothingAndTalkToTheHostOnlyForTheLossRead(boolean batchNorm) {
        long start = CHECKED.memoryStats().liveBytes();
        try (Setup s = Setup.of(batchNorm)) {
            // The first step creates the gradients, which then live across steps: the baseline is taken after it.
            try (MemoryScope step = MemoryScope.open()) {
                TrainingStep.run(s.net, s.adam, s.x, s.target, s.mask);
            }
            long baseline = CHECKED.memoryStats().liveBytes();
            for (int i = 0; i < 10; i++) {
                float[] loss = new float[1];
                MemoryStats[] during = new MemoryStats[2];
                assertNoLeak("training step " + (i + 2), () -> {
                    try (MemoryScope step = MemoryScope.open()) {
                        during[0] = CHECKED.memoryStats();
                        Tensor l = TrainingStep.run(s.net, s.adam, s.x, s.target, s.mask);
                        during[1] = CHECKED.memoryStats();
                        loss[0] = l.item(); // the one read the caller asks for
                    }
                });
                MemoryStats after = CHECKED.memoryStats();
                assertEquals(baseline, after.liveBytes(), "live bytes after step " + (i + 2));
                assertEquals(0, during[1].transfers() - during[0].transfers(), "host transfers inside the step");
                assertEquals(0, during[1].synchronizations() - during[0].synchronizations(), "host waits inside the step");
                assertEquals(1, after.transfers() - during[0].transfers(), "the loss read is one transfer");
                assertEquals(1, after.synchronizations() - during[0].synchronizations(), "and one synchronize");
                assertTrue(Float.isFinite(loss[0]));
            }
        }
        assertEquals(start, CHECKED.memoryStats().liveBytes(), "closing the model, optimizer and data frees everything");
    }

    @ParameterizedTest(name = "batch norm {0}")
    @ValueSource(booleans = {false, true})
    void aStepPeaksWithinTenPercentOfItsTheoreticalMinimum(boolean batchNorm) {
        try (Setup s = Setup.of(batchNorm)) {
            for (int i = 0; i < 2; i++) { // the second step runs with last step's gradients alive, as in training
                try (MemoryScope step = MemoryScope.open()) {
                    CHECKED.resetPeak();
                    s.adam.zeroGrad();
                    Tensor loss = Losses.maskedL1(s.net.forward(s.x), s.target, s.mask);
                    long[] footprint = Autograd.backwardFootprint(loss);
                    loss.backward();
                    s.adam.step();
                    long params = 4 * s.net.parameterCount();
                    // weights, gradients and both Adam moments; every saved tensor; the two largest activation gradients
                    long minimum = 4 * params + 4 * footprint[0] + 4 * footprint[1];
                    long peak = CHECKED.memoryStats().peakBytes();
                    System.out.printf(Locale.ROOT, "U-Net f=4 L=3 %d³%s step %d on checked: high-water %,d bytes, theoretical minimum %,d bytes"
                                    + " (parameters ×4 %,d, saved %,d, two largest gradients %,d): %.3f×%n",
                            BLOCK, batchNorm ? " with batch norm" : "", i + 1, peak, minimum, 4 * params, 4 * footprint[0], 4 * footprint[1],
                            peak / (double) minimum);
                    assertTrue(peak <= 1.1 * minimum, "high-water " + peak + " > 1.1 × minimum " + minimum);
                }
            }
        }
    }

    @Test
    void inferenceKeepsNothingForBackward() {
        try (Setup s = Setup.of(false); MemoryScope scope = MemoryScope.open(); Autograd.NoGrad ng = Autograd.noGrad()) {
            long before = CHECKED.memoryStats().liveBytes();
            CHECKED.resetPeak();
            Tensor y = s.net.forward(s.x);
            long activation = 4L * 4 * BLOCK * BLOCK * BLOCK; // one full-resolution feature map (4 filters)
            long extra = CHECKED.memoryStats().peakBytes() - before;
            // The top decoder level: the skip (4 channels), the upsampled path (8) and their concatenation (12) are alive
            // at once while concat copies, 24 channels = 6 maps; nothing is held for a backward.
            assertTrue(extra <= 6 * activation, "forward without gradients peaked " + extra + " bytes above its inputs");
            assertEquals(4L * y.numel(), CHECKED.memoryStats().liveBytes() - before, "only the output is alive after the forward");
        }
    }

    @Test
    void aDeliberateLeakFailsTheLeakCheckNamingWhereItWasAllocated() {
        try (Setup s = Setup.of(false)) {
            try (MemoryScope step = MemoryScope.open()) {
                TrainingStep.run(s.net, s.adam, s.x, s.target, s.mask);
            }
            s.adam.zeroGrad();
            Tensor[] leaked = new Tensor[1];
            AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> assertNoLeak("leaky step", () -> {
                try (MemoryScope step = MemoryScope.open()) {
                    Tensor loss = TrainingStep.run(s.net, s.adam, s.x, s.target, s.mask);
                    leaked[0] = loss.mul(2f).persistent(); // taken out of the scope and never closed
                }
                s.adam.zeroGrad(); // so that the report lists the leak alone, not this step's new gradients
            }));
            System.out.println("deliberate leak: " + e.getMessage());
            assertTrue(e.getMessage().startsWith("leaky step leaked 4 bytes: storage #") && e.getMessage().contains("(1 floats on checked)")
                    && e.getMessage().contains("← Pointwise.mulScalar") && !e.getMessage().contains(";"), e.getMessage());
            leaked[0].close();
        }
    }

    @Test
    void aDeliberateUseAfterFreeIsAnErrorNamingTheOp() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor a = Tensor.zeros(CHECKED, 2, 3), b = Tensor.ones(CHECKED, 2, 3);
            a.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.add(a));
            System.out.println("deliberate use after free: " + e.getMessage());
            assertTrue(e.getMessage().startsWith("add: use after free of a closed tensor [2, 3] on checked"), e.getMessage());
            assertTrue(assertThrows(IllegalStateException.class, a::toArray).getMessage().startsWith("toArray: use after free"));
        }
        // Below the tensors: a freed storage passed to a kernel, and a double free.
        Storage s = CHECKED.allocate(4), out = CHECKED.allocate(4);
        s.free();
        IllegalStateException k = assertThrows(IllegalStateException.class, () -> CHECKED.unary(dev.deepanat.engine.backend.UnaryOp.NEG, 0, 0, s, out, 4));
        assertTrue(k.getMessage().startsWith("unary: use after free of storage"), k.getMessage());
        assertTrue(assertThrows(IllegalStateException.class, s::free).getMessage().startsWith("double free"));
        out.free();
    }

    @Test
    void savedActivationsOutliveTheirHandlesUntilBackwardConsumesThem() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor w = Tensor.of(CHECKED, new float[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor x = Tensor.of(CHECKED, new float[] {4, 5, 6}, 3);
            Tensor y = x.mul(w); // saves x for dw
            Tensor loss = y.relu().sum(); // relu saves its output, not its input y
            long beforeBackward = CHECKED.memoryStats().liveBytes();
            x.close();
            y.close();
            assertEquals(beforeBackward - 12, CHECKED.memoryStats().liveBytes(), "y, which no node saved, is freed at once; x is not");
            loss.backward();
            assertEquals(4f + 0, w.grad().toArray()[0]);
            assertTrue(CHECKED.memoryStats().liveBytes() < beforeBackward, "backward released what the nodes saved");
            assertThrows(IllegalStateException.class, loss::backward, "the graph is gone after one backward");
        }
    }

    @Test
    void scopesCloseWhatTheyOwnAndKeepWhatTheyHandOut() {
        long before = CHECKED.memoryStats().liveBytes();
        Tensor kept;
        Tensor param = Tensor.zeros(CHECKED, 4).requiresGrad(true).persistent();
        try (MemoryScope outer = MemoryScope.open()) {
            try (MemoryScope inner = MemoryScope.open()) {
                Tensor tmp = param.add(1f);
                kept = inner.keep(tmp.mul(3f));
                assertTrue(!tmp.isClosed());
            }
            assertTrue(!kept.isClosed(), "kept by the inner scope: the outer one owns it now");
            kept.sum().backward();
            assertNotNull(param.grad());
        }
        assertTrue(kept.isClosed(), "closed with the outer scope");
        assertTrue(!param.isClosed() && !param.grad().isClosed(), "parameters and their gradients are not a scope's");
        assertEquals(3f, param.grad().toArray()[0]);
        param.close();
        assertEquals(before, CHECKED.memoryStats().liveBytes());
        MemoryScope a = MemoryScope.open(), b = MemoryScope.open();
        assertThrows(IllegalStateException.class, a::close, "scopes close innermost first");
        b.close();
        a.close();
    }

    @Test
    void freezingDecidesAtForwardTime() {
        SplittableRandom rng = new SplittableRandom(3);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor g = Tensor.randn(rng, 0, 1, 3).requiresGrad(true).persistent();  // the "generator" parameter
            Tensor d = Tensor.randn(rng, 0, 1, 3).requiresGrad(false).persistent(); // the "discriminator", frozen
            Tensor loss = g.mul(d).sum();
            d.requiresGrad(true); // unfrozen after the forward: this graph was recorded without it
            loss.backward();
            assertNotNull(g.grad());
            assertNull(d.grad(), "a parameter frozen when the forward ran gets no gradient");
            List.of(g, d).forEach(Tensor::close);
        }
    }
}
