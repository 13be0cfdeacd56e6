package dev.deepanat.engine;

import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.loss.Losses;
import dev.deepanat.engine.ops.Convolution;
import dev.deepanat.engine.ops.Padding;
import dev.deepanat.engine.ops.Views;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorTest {
    @Test
    void viewsShareStorageAndIndexCorrectly() {
        Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
        Tensor tt = t.transpose(0, 1);
        assertSame(t.storage(), tt.storage());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, tt.toArray());
        assertArrayEquals(new float[] {1, 2, 4, 5}, t.narrow(1, 1, 2).toArray());
        assertArrayEquals(new int[] {3, 2}, t.reshape(-1, 2).shape());
        assertArrayEquals(new float[] {0, 1, 2, 1, 2, 3, 4, 5, 4, 5}, Views.concat(1, t, t.narrow(1, 1, 2)).toArray());
    }

    @Test
    void broadcastingFollowsNumpy() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor b = Tensor.of(new float[] {10, 20}, 2);
        assertArrayEquals(new float[] {11, 21, 12, 22, 13, 23}, a.add(b).toArray());
        assertArrayEquals(new float[] {60, 120}, a.mul(b).sum(false, 0).toArray());
    }

    @Test
    void gradientsAccumulateAndTheGraphIsReleased() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}).requiresGrad(true);
        Tensor y = x.mul(x).sum();
        y.backward();
        assertArrayEquals(new float[] {2, 4, 6}, x.grad().toArray());
        x.mul(x).sum().backward();
        assertArrayEquals(new float[] {4, 8, 12}, x.grad().toArray());
        var again = assertThrows(IllegalStateException.class, y::backward, "graph released after backward");
        assertTrue(again.getMessage().contains("already released"), again.getMessage());
        try (var ng = Autograd.noGrad()) {
            assertTrue(!x.mul(x).requiresGrad());
        }
    }

    @Test
    void errorsNameTheOpAndTheShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(4, 3)));
        assertEquals("add: shapes [2, 3] and [4, 3] cannot be broadcast", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Convolution.conv3d(Tensor.zeros(1, 2, 4, 4), Tensor.zeros(1, 2, 3, 3, 3),
                null, new int[] {1, 1, 1}, Padding.same()));
        assertTrue(e.getMessage().startsWith("conv3d: expected a rank-5 tensor") && e.getMessage().contains("[1, 2, 4, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Convolution.conv3d(Tensor.zeros(1, 2, 4, 4, 4), Tensor.zeros(1, 3, 3, 3, 3),
                null, new int[] {1, 1, 1}, Padding.same()));
        assertTrue(e.getMessage().contains("2 channels") && e.getMessage().contains("[1, 3, 3, 3, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().startsWith("matmul: inner dimensions"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.maskedL1(Tensor.zeros(2), Tensor.zeros(3), Tensor.ones(1)));
        assertTrue(e.getMessage().contains("maskedL1") && e.getMessage().contains("[2]") && e.getMessage().contains("[3]"));
        // A NaN loss is caught where it is read (every N steps), naming the step it came from.
        try (var meter = new dev.deepanat.engine.loss.LossMeter(Tensor.zeros(1).backend(), "maskedL1", 3)) {
            meter.add(Losses.maskedL1(Tensor.of(new float[] {1, 2}), Tensor.zeros(2), Tensor.ones(1)), "step 1");
            meter.add(Losses.maskedL1(Tensor.of(new float[] {1, Float.NaN}), Tensor.zeros(2), Tensor.ones(1)), "step 2");
            assertEquals(2, meter.pending(), "nothing is read before the third step");
            var nan = assertThrows(ArithmeticException.class,
                    () -> meter.add(Losses.maskedL1(Tensor.zeros(2), Tensor.zeros(2), Tensor.ones(1)), "step 3"));
            assertTrue(nan.getMessage().startsWith("maskedL1 loss is NaN at step 2"), nan.getMessage());
        }
    }

    @Test
    void trainingWithAFixedSeedIsDeterministic() {
        assertArrayEquals(trainTwoSteps(), trainTwoSteps());
    }

    private static float[] trainTwoSteps() {
        SplittableRandom rng = new SplittableRandom(3);
        UNet3d net = new UNet3d(new UNetConfig(2, 1, 4, 2, false), rng);
        Tensor x = Tensor.randn(rng, 0, 1, 1, 2, 8, 8, 8), t = Tensor.randn(rng, 0, 1, 1, 1, 8, 8, 8);
        Adam adam = new Adam(net.parameters(), 1e-3f);
        for (int i = 0; i < 2; i++) {
            adam.zeroGrad();
            Losses.maskedL1(net.forward(x), t, Tensor.ones(1)).backward();
            adam.step();
        }
        return net.forward(x).toArray();
    }
}
