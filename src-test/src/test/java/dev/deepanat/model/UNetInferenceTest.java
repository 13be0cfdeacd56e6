package dev.deepanat.model;

import dev.deepanat.engine.Conformance;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.kernels.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Without a graph to record, the U-Net's decoder convolutions read the skip connection and the coarser level in place
 * (Conv3d.forwardSkipUp) where the backend can; recording, it runs upsample → concat → conv. Both give the same output.
 */
class UNetInferenceTest {
    static float[][] bothPaths(Backend be) {
        SplittableRandom rng = new SplittableRandom(3);
        UNet3d net = new UNet3d(new UNetConfig(11, 1, 8, 3, false), rng);
        net.to(be);
        try (Tensor x = Tensor.randn(rng, 0, 1, 1, 11, 16, 16, 24).to(be)) {
            float[] recorded;
            try (Tensor y = net.forward(x)) { recorded = y.toArray(); }
            float[] inference;
            try (var ng = Autograd.noGrad(); Tensor y = net.forward(x)) { inference = y.toArray(); }
            return new float[][] {recorded, inference};
        } finally {
            net.close();
        }
    }

    @Test
    void theReferenceRunsTheThreeOps() {
        assertFalse(Backends.reference().conv3dSkipUpInPlace(Conformance.same3(1, 12, 16, 16, 24, 8)));
        float[][] r = bothPaths(Backends.reference());
        assertArrayEquals(r[0], r[1], "the same ops either way: the same sums");
    }

    @Test
    void theInferencePathMatchesOnTheCpuBackendWithWinograd() {
        CpuBackend cpu = new CpuBackend();
        cpu.winograd(true);
        assertTrue(cpu.conv3dSkipUpInPlace(Conformance.same3(1, 12, 16, 16, 24, 8)), "the top decoder level's first conv");
        float[][] r = bothPaths(cpu);
        Conformance.close("inference vs recorded forward (cpu, Winograd)", r[0], r[1]);
        cpu.winograd(false);
        assertFalse(cpu.conv3dSkipUpInPlace(Conformance.same3(1, 12, 16, 16, 24, 8)), "without Winograd the three ops run");
    }

    @Test
    void recordingRefusesTheInferenceOnlyOp() {
        SplittableRandom rng = new SplittableRandom(1);
        try (Tensor skip = Tensor.randn(rng, 0, 1, 1, 2, 4, 4, 4); Tensor low = Tensor.randn(rng, 0, 1, 1, 2, 2, 2, 2);
             Tensor w = Tensor.randn(rng, 0, 1, 3, 4, 3, 3, 3).requiresGrad(true)) {
            assertThrows(IllegalStateException.class,
                    () -> dev.deepanat.engine.ops.Convolution.conv3dSkipUp(skip, low, w, null, true));
        }
    }
}
