package dev.deepanat.engine;

import dev.deepanat.engine.init.Initializers;
import dev.deepanat.engine.nn.BatchNorm;
import dev.deepanat.engine.nn.Conv2d;
import dev.deepanat.engine.nn.Lambda;
import dev.deepanat.engine.nn.Linear;
import dev.deepanat.engine.nn.Sequential;
import dev.deepanat.engine.ops.Padding;
import dev.deepanat.engine.optim.Sgd;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InitAndOptimTest {
    @Test
    void heNormalIsATruncatedNormalWithKerasStd() {
        int fanIn = 48 * 27;
        float[] v = Initializers.heNormal().values(new int[] {200_000}, fanIn, 1, new SplittableRandom(1));
        double sigma = Math.sqrt(2.0 / fanIn) / 0.87962566103423978, var = 0, max = 0;
        for (float f : v) { var += f * f; max = Math.max(max, Math.abs(f)); }
        // Keras scales the pre-truncation std so that the truncated samples have std sqrt(2 / fanIn).
        assertEquals(Math.sqrt(2.0 / fanIn), Math.sqrt(var / v.length), 0.01 * Math.sqrt(2.0 / fanIn));
        assertTrue(max <= 2 * sigma, "samples truncated at 2σ");
    }

    @Test
    void glorotUniformStaysWithinItsLimit() {
        float[] v = Initializers.glorotUniform().values(new int[] {10_000}, 30, 70, new SplittableRandom(2));
        double limit = Math.sqrt(6.0 / 100), max = 0, mean = 0;
        for (float f : v) { max = Math.max(max, Math.abs(f)); mean += f; }
        assertTrue(max <= limit && max > 0.98 * limit);
        assertEquals(0, mean / v.length, 0.01);
    }

    @Test
    void sgdWithMomentumFollowsPyTorchsUpdate() {
        Tensor p = Tensor.of(new float[] {1, -2}).requiresGrad(true);
        Sgd sgd = new Sgd(List.of(p), 0.1f, 0.9f);
        for (int i = 0; i < 2; i++) {
            p.zeroGrad();
            p.accumulateGrad(Tensor.of(new float[] {1, 1}));
            sgd.step();
        }
        // buf1 = g = 1, p1 = p0 − 0.1; buf2 = 0.9 + 1 = 1.9, p2 = p1 − 0.19
        assertArrayEquals(new float[] {1 - 0.1f - 0.19f, -2 - 0.1f - 0.19f}, p.toArray(), 1e-6f);
    }

    @Test
    void modulesNameTheirStateLikePyTorch() {
        SplittableRandom rng = new SplittableRandom(3);
        Sequential net = new Sequential(new Conv2d(1, 4, 3, 2, Padding.same(), true, Initializers.normal(0, 0.02), rng),
                BatchNorm.of2d(4), Lambda.leakyRelu(0.2f), Lambda.flatten(), new Linear(4 * 4 * 4, 1, true, Initializers.glorotUniform(), rng));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "4.weight", "4.bias"),
                List.copyOf(net.stateDict().keySet()));
        Tensor y = net.forward(Tensor.randn(rng, 0, 1, 2, 1, 8, 8));
        assertArrayEquals(new int[] {2, 1}, y.shape());
        net.eval();
        assertTrue(!net.isTraining() && !net.children().get("1").isTraining());
        assertEquals(4 * 9 + 4 + 8 + 64 + 1, net.parameterCount());
    }
}
