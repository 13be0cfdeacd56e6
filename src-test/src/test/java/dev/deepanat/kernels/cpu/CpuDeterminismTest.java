package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.ops.Convolution;
import dev.deepanat.engine.ops.Padding;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same kernel call gives the same bits every time: the first calls run in the interpreter, later ones JIT-compiled,
 * and other shapes run in between (scratch buffers reused). reduceLanes(ADD) used to break this: its lane order differs
 * between tiers, so the first backward-weight differed from later ones and seeded training was not reproducible.
 */
class CpuDeterminismTest {
    @Test
    void convolutionGradientsAndSumsRepeatBitForBit() {
        Backend be = Backends.get("cpu");
        SplittableRandom r = new SplittableRandom(1);
        Tensor x = Tensor.randn(r, 0, 1, 1, 11, 24, 24, 24).to(be).requiresGrad(true);
        Tensor w = Tensor.randn(r, 0, 1, 8, 11, 3, 3, 3).to(be).requiresGrad(true);
        Tensor b = Tensor.zeros(be, 8).requiresGrad(true);
        Tensor gy = Tensor.randn(r, 0, 1, 1, 8, 24, 24, 24).to(be);
        float[][] first = null;
        float firstSum = 0;
        for (int rep = 0; rep < 8; rep++) {
            Tensor xo = Tensor.randn(new SplittableRandom(rep), 0, 100, 1, 5, 13, 13, 13).to(be).requiresGrad(true);
            Tensor wo = Tensor.randn(new SplittableRandom(rep + 9), 0, 100, 7, 5, 3, 3, 3).to(be).requiresGrad(true);
            Convolution.conv3d(xo, wo, null, new int[] {1, 1, 1}, Padding.of(1)).backward(Tensor.ones(be, 1, 7, 13, 13, 13));
            x.zeroGrad();
            w.zeroGrad();
            b.zeroGrad();
            Tensor y = Convolution.conv3d(x, w, b, new int[] {1, 1, 1}, Padding.of(1));
            y.backward(gy);
            float[][] now = {y.toArray(), x.grad().toArray(), w.grad().toArray(), b.grad().toArray()};
            float sum = y.abs().mean().item();
            if (first == null) {
                first = now;
                firstSum = sum;
                continue;
            }
            for (int k = 0; k < 4; k++) assertArrayEquals(first[k], now[k], "output/dx/dw/db " + k + " at repetition " + rep);
            assertEquals(firstSum, sum, 0f, "mean at repetition " + rep);
        }
    }
}
