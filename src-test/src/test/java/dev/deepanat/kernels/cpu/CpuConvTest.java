package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.deepanat.kernels.cpu.CpuCheck.CPU;
import static dev.deepanat.kernels.cpu.CpuCheck.REF;
import static dev.deepanat.kernels.cpu.CpuCheck.close;

/** The cpu backend's convolutions (forward, backward-data, backward-weight with bias) against the reference. */
class CpuConvTest {

    /** Symmetric padding p and stride s on every axis; 2D when d = kd = 1. */
    static ConvGeometry geom(int n, int cIn, int d, int h, int w, int cOut, int kd, int kh, int kw, int sd, int sh, int sw,
                             int pd, int ph, int pw) {
        int od = (d + 2 * pd - kd) / sd + 1, oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
        return new ConvGeometry(n, cIn, d, h, w, cOut, kd, kh, kw, sd, sh, sw, pd, ph, pw, od, oh, ow);
    }

    static ConvGeometry same3(int n, int cIn, int d, int h, int w, int cOut) {
        return geom(n, cIn, d, h, w, cOut, 3, 3, 3, 1, 1, 1, 1, 1, 1);
    }

    static List<ConvGeometry> cases() {
        List<ConvGeometry> c = new ArrayList<>();
        c.add(same3(1, 3, 5, 7, 19, 7));          // odd sizes, vector tail, partial output-channel block
        c.add(same3(2, 5, 4, 6, 33, 13));         // batch 2, tail of one lane
        c.add(same3(1, 16, 6, 8, 32, 16));        // whole vectors
        c.add(same3(1, 5, 3, 4, 30, 9));          // row mode with a masked tail (ow = 30, wp = 32)
        c.add(same3(2, 7, 8, 8, 8, 12));          // flat mode across planes and batch items
        c.add(same3(1, 11, 4, 4, 4, 8));          // U-Net's deepest levels: rows shorter than a vector
        c.add(same3(1, 20, 3, 2, 2, 30));         // many input channels (several channel blocks)
        c.add(same3(1, 1, 3, 3, 1, 1));           // single channel, single column
        c.add(geom(1, 9, 3, 5, 17, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0));   // 1×1×1 output layer
        c.add(geom(1, 2, 6, 6, 20, 3, 3, 3, 3, 1, 1, 1, 0, 0, 0));   // 'valid'
        c.add(geom(1, 3, 5, 6, 18, 4, 3, 3, 3, 1, 1, 1, 2, 2, 2));   // padding 2 (output larger than input)
        c.add(geom(1, 4, 1, 9, 23, 5, 1, 3, 3, 1, 1, 1, 0, 1, 1));   // conv2d 3×3 'same'
        c.add(geom(2, 3, 1, 10, 12, 4, 1, 3, 3, 1, 2, 2, 0, 1, 1));  // conv2d stride 2 (generic path)
        c.add(geom(1, 3, 1, 11, 9, 2, 1, 5, 5, 1, 1, 1, 0, 2, 2));   // conv2d 5×5
        // Keras 'same' with an even kernel: padding only after (pd = 0, output size = input size).
        c.add(new ConvGeometry(1, 3, 4, 5, 18, 5, 2, 2, 2, 1, 1, 1, 0, 0, 0, 4, 5, 18));
        SplittableRandom rng = new SplittableRandom(42);
        for (int i = 0; i < 6; i++) {
            int k = 1 + 2 * rng.nextInt(2);
            c.add(geom(1 + rng.nextInt(2), 1 + rng.nextInt(14), 1 + rng.nextInt(6), 1 + rng.nextInt(9), 1 + rng.nextInt(40),
                    1 + rng.nextInt(15), k, k, k, 1, 1, 1, k / 2, k / 2, k / 2));
        }
        return c;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void forwardAndBothBackwardPassesMatchTheReference(ConvGeometry g) {
        SplittableRandom rng = new SplittableRandom(g.hashCode());
        float[] x = CpuCheck.random(rng, (int) g.inputSize());
        float[] w = CpuCheck.random(rng, (int) g.weightSize());
        float[] b = CpuCheck.random(rng, g.cOut());
        float[] dy = CpuCheck.random(rng, (int) g.outputSize());
        close("forward " + g, forward(REF, g, x, w, b), forward(CPU, g, x, w, b));
        close("forward without bias " + g, forward(REF, g, x, w, null), forward(CPU, g, x, w, null));
        close("backward-data " + g, backwardData(REF, g, dy, w), backwardData(CPU, g, dy, w));
        float[][] r = backwardWeight(REF, g, x, dy), c = backwardWeight(CPU, g, x, dy);
        close("backward-weight " + g, r[0], c[0]);
        close("backward-bias " + g, r[1], c[1]);
    }

    @Test
    void outputsAreOverwrittenNotAccumulated() {
        ConvGeometry g = same3(1, 4, 3, 4, 20, 5);
        SplittableRandom rng = new SplittableRandom(3);
        float[] x = CpuCheck.random(rng, (int) g.inputSize()), w = CpuCheck.random(rng, (int) g.weightSize());
        float[] dy = CpuCheck.random(rng, (int) g.outputSize());
        Storage y = CPU.upload(CpuCheck.random(rng, (int) g.outputSize()));
        CPU.conv3d(g, CPU.upload(x), CPU.upload(w), null, y);
        close("forward into garbage", forward(REF, g, x, w, null), CPU.download(y, 0, (int) g.outputSize()));
        Storage dx = CPU.upload(CpuCheck.random(rng, (int) g.inputSize()));
        CPU.conv3dBackwardData(g, CPU.upload(dy), CPU.upload(w), dx);
        close("backward-data into garbage", backwardData(REF, g, dy, w), CPU.download(dx, 0, (int) g.inputSize()));
        Storage dw = CPU.upload(CpuCheck.random(rng, (int) g.weightSize()));
        CPU.conv3dBackwardWeight(g, CPU.upload(x), CPU.upload(dy), dw, null);
        close("backward-weight into garbage", backwardWeight(REF, g, x, dy)[0], CPU.download(dw, 0, (int) g.weightSize()));
    }

    static float[] forward(Backend be, ConvGeometry g, float[] x, float[] w, float[] b) {
        Storage y = be.allocate(g.outputSize());
        be.conv3d(g, be.upload(x), be.upload(w), b == null ? null : be.upload(b), y);
        return be.download(y, 0, (int) g.outputSize());
    }

    static float[] backwardData(Backend be, ConvGeometry g, float[] dy, float[] w) {
        Storage dx = be.allocate(g.inputSize());
        be.conv3dBackwardData(g, be.upload(dy), be.upload(w), dx);
        return be.download(dx, 0, (int) g.inputSize());
    }

    static float[][] backwardWeight(Backend be, ConvGeometry g, float[] x, float[] dy) {
        Storage dw = be.allocate(g.weightSize()), db = be.allocate(g.cOut());
        be.conv3dBackwardWeight(g, be.upload(x), be.upload(dy), dw, db);
        return new float[][] {be.download(dw, 0, (int) g.weightSize()), be.download(db, 0, g.cOut())};
    }
}
