package dev.deepanat.model;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.loss.Losses;
import dev.deepanat.engine.ops.Convolution;
import dev.deepanat.engine.ops.Padding;
import dev.deepanat.engine.optim.Adam;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tiny U-Net must be able to memorize one block: the smallest end-to-end check of the whole engine. */
class UNetOverfitTest {
    @Test
    void tinyUNetOverfitsOneBlock() {
        SplittableRandom rng = new SplittableRandom(7);
        UNet3d net = new UNet3d(new UNetConfig(2, 1, 4, 2, false), rng);
        Tensor x = Tensor.randn(rng, 0, 1, 1, 2, 16, 16, 16);
        // A target the tiny net can represent: a local 3×3×3 average of the first channel, scaled and shifted.
        float[] box = new float[27];
        java.util.Arrays.fill(box, 2f / 27);
        Tensor target = Convolution.conv3d(x.narrow(1, 0, 1), Tensor.of(box, 1, 1, 3, 3, 3), null,
                new int[] {1, 1, 1}, Padding.same()).add(1f).detach();
        float[] m = new float[16 * 16 * 16];
        for (int i = 0; i < m.length; i++) m[i] = (i / 16 / 16 >= 2 && i / 16 / 16 < 14) ? 1f : 0f;
        Tensor mask = Tensor.of(m, 1, 1, 16, 16, 16);
        Adam adam = new Adam(net.parameters(), 1e-2f);
        float first = Float.NaN, last = Float.NaN;
        for (int step = 0; step < 300; step++) {
            adam.zeroGrad();
            Tensor loss = Losses.maskedL1(net.forward(x), target, mask);
            loss.backward();
            adam.step();
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        assertTrue(last < first / 10, "masked L1 fell from " + first + " to " + last + ", less than tenfold");
    }
}
