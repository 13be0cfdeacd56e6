package dev.deepanat.profile;

import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.ProfiledBackend;
import dev.deepanat.engine.backend.View;
import dev.deepanat.engine.profile.KernelCost;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KernelCostTest {
    /** The conv FLOP formula against a hand count: every (output voxel, output channel, input channel, tap) is one MAC. */
    @Test
    void convFlopsMatchAHandCount() {
        // x [1, 2, 4, 5, 6], w [3, 2, 3, 3, 3], 'same' (padding 1), stride 1: y [1, 3, 4, 5, 6].
        ConvGeometry g = new ConvGeometry(1, 2, 4, 5, 6, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 4, 5, 6);
        long macs = 0;
        for (int o = 0; o < 3; o++)
            for (int z = 0; z < 4; z++) for (int y = 0; y < 5; y++) for (int x = 0; x < 6; x++)
                for (int c = 0; c < 2; c++) for (int t = 0; t < 27; t++) macs++;
        assertEquals(3 * 120 * 2 * 27, macs);
        assertEquals(2.0 * macs, KernelCost.conv3d(g, false).flop());
        assertEquals(2.0 * macs + 3 * 120, KernelCost.conv3d(g, true).flop(), "a bias adds one per output");
        assertEquals(2.0 * macs, KernelCost.conv3dBackwardData(g).flop());
        assertEquals(2.0 * macs, KernelCost.conv3dBackwardWeight(g, false).flop());
        // x (240) + w (162) + y (360) floats, 4 bytes each
        assertEquals(4.0 * (240 + 162 + 360), KernelCost.conv3d(g, false).bytes());
        assertEquals("2→3 k3 @ 4×5×6", KernelCost.conv3d(g, false).shape());
    }

    @Test
    void elementwiseAndGemmCosts() {
        assertEquals(2.0 * 1000, KernelCost.axpy(1000).flop());
        assertEquals(12.0 * 1000, KernelCost.axpy(1000).bytes());
        assertEquals(2.0 * 2 * 3 * 4, KernelCost.gemm(2, 3, 4, 0f).flop());
        assertEquals(4.0 * (8 + 12 + 6), KernelCost.gemm(2, 3, 4, 0f).bytes());
        // a per-channel bias broadcast over [1, 4, 10]: the bias is read once, x and out in full
        View x = new View(null, 0, new int[] {1, 4, 10}, new int[] {40, 10, 1});
        View b = new View(null, 0, new int[] {1, 4, 10}, new int[] {0, 1, 0});
        assertEquals(4.0 * (40 + 4 + 40), KernelCost.binary(x, b).bytes());
        assertEquals(40, KernelCost.binary(x, b).flop());
    }

    /**
     * The forward convolutions of a whole profiled U-Net add up to UNetConfig.forwardFlops (plus the bias adds and, for
     * the layers with a fused ReLU, {@code conv3dRelu}, one max per output).
     */
    @Test
    void profiledForwardConvFlopsAddUpToTheModelsCount() {
        UNetConfig cfg = new UNetConfig(3, 1, 4, 3, false);
        ProfiledBackend p = new ProfiledBackend(Backends.host());
        UNet3d net = new UNet3d(cfg, new SplittableRandom(1));
        net.to(p);
        StepProfile.Result r = StepProfile.run(net, p, 16, false, 1);
        double convFlop = r.rows().stream().filter(x -> x.kernel().startsWith("conv3d")).mapToDouble(LayerRow::flop).sum();
        double biasAdds = 0; // and ReLUs: two convolutions per level, each one add and one max per output
        for (int l = 0, s = 16; l < 3; l++, s /= 2) biasAdds += 2.0 * 2 * (4 << l) * s * s * s;    // encoder
        for (int l = 1, s = 8; l >= 0; l--, s *= 2) biasAdds += 2.0 * 2 * (4 << l) * s * s * s;    // decoder
        biasAdds += 16 * 16 * 16;                                                                    // out (no ReLU)
        assertEquals(cfg.forwardFlops(16) + biasAdds, convFlop, 1e-6 * convFlop);
        // one row per conv → ReLU layer, named by layer: conv3dRelu, or conv3dSkipUp for a decoder level's first conv
        // where the backend reads the skip and the coarser level in place (a forward pass without gradients)
        assertEquals(2 * 3 + 2 * 2, r.rows().stream().filter(x -> x.kernel().equals("conv3dRelu") || x.kernel().equals("conv3dSkipUp")).count(),
                "one conv3dRelu or conv3dSkipUp row per conv → ReLU layer, named by layer");
        assertEquals(1, r.rows().stream().filter(x -> x.kernel().equals("conv3d")).count(), "the output layer's conv3d");
        net.close();
    }
}
