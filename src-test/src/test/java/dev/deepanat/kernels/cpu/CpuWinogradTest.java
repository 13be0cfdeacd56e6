package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Conformance;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.UnaryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.deepanat.engine.Conformance.close;
import static dev.deepanat.engine.Conformance.conv;
import static dev.deepanat.engine.Conformance.random;
import static dev.deepanat.engine.Conformance.same3;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Winograd F(2³, 3³) path against the reference backend's direct loops: forward, fused ReLU, backward-data, on
 * odd sizes (tiles half outside the output), vector tails, paddings 0–2 per axis, batch 2, several chunks, and with
 * 1–5 threads; and the switch.
 */
class CpuWinogradTest {
    static final Backend REF = Backends.reference();
    static final CpuBackend WINOGRAD = new CpuBackend(), DIRECT = new CpuBackend();

    static {
        WINOGRAD.winograd(true);
        DIRECT.winograd(false);
    }

    static List<ConvGeometry> geometries() {
        List<ConvGeometry> c = new ArrayList<>();
        c.add(same3(1, 8, 6, 10, 18, 8));          // even sizes, one output-channel block and a partial one
        c.add(same3(2, 9, 5, 9, 19, 13));          // odd sizes: the last tile of each axis half outside; batch 2
        c.add(same3(1, 16, 4, 12, 64, 12));        // rows of 32 tiles: whole vectors at 512 bits
        c.add(same3(1, 8, 3, 17, 70, 9));          // 35 tiles per row: a vector tail, rows spilling into the next
        c.add(same3(1, 12, 9, 16, 16, 20));        // 16² planes (the 16³ level's shape): half a vector of tiles
        c.add(same3(1, 10, 20, 20, 20, 8));        // many rows: several chunks per thread
        // paddings other than 1 (backward-data then runs with padding 2 − p: 2, 0, 1 and 0, 2, 2)
        c.add(conv(1, 8, 6, 7, 20, 9, 3, 3, 3, 1, 1, 1, 0, 2, 1));   // padding 0, 2, 1
        c.add(conv(1, 9, 5, 12, 13, 8, 3, 3, 3, 1, 1, 1, 2, 0, 0));  // 'valid' in-plane, output larger in depth
        return c;
    }

    /** The stride-1 backward-data convolution ConvBackwardData runs: dy's channels in, padding 2 − p, x's sizes out. */
    static ConvGeometry backwardData(ConvGeometry g) {
        return new ConvGeometry(g.n(), g.cOut(), g.od(), g.oh(), g.ow(), g.cIn(), 3, 3, 3, 1, 1, 1,
                2 - g.pd(), 2 - g.ph(), 2 - g.pw(), g.d(), g.h(), g.w());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void forwardReluAndBackwardDataMatchTheDirectConvolution(ConvGeometry g) {
        assertTrue(Winograd.use(g), "the test shape must take the Winograd path: " + g);
        assertTrue(Winograd.use(backwardData(g)), "and so must its backward-data: " + backwardData(g));
        SplittableRandom rng = new SplittableRandom(g.hashCode());
        float[] x = random(rng, (int) g.inputSize()), w = random(rng, (int) g.weightSize());
        float[] b = random(rng, g.cOut()), dy = random(rng, (int) g.outputSize());
        float[] y = Conformance.conv3d(REF, g, x, w, b);
        close("forward " + g, y, Conformance.conv3d(WINOGRAD, g, x, w, b));
        close("forward without bias " + g, Conformance.conv3d(REF, g, x, w, null), Conformance.conv3d(WINOGRAD, g, x, w, null));
        for (int i = 0; i < y.length; i++) y[i] = UnaryOp.RELU.apply(y[i], 0f, 0f);
        close("forward + ReLU " + g, y, Conformance.conv3dRelu(WINOGRAD, g, x, w, b));
        close("backward-data " + g, Conformance.conv3dBackwardData(REF, g, dy, w), Conformance.conv3dBackwardData(WINOGRAD, g, dy, w));
        // backward-weight through WinogradWeight itself (CpuBackend leaves fewer than 16 input channels to the direct kernel)
        float[] dw = new float[(int) g.weightSize()], db = new float[g.cOut()];
        WinogradWeight.run(g, x, dy, dw, db);
        float[][] r = Conformance.conv3dBackwardWeight(REF, g, x, dy, true);
        close("backward-weight " + g, r[0], dw);
        close("backward-bias " + g, r[1], db);
        close("backward-weight through the backend " + g, r[0], Conformance.conv3dBackwardWeight(WINOGRAD, g, x, dy, false)[0]);
    }

    /** Shapes the transforms compute but {@link Winograd#use} leaves to the direct kernels: 1 channel, tiny planes. */
    @Test
    void theKernelItselfHandlesEveryShapeItSupports() {
        for (ConvGeometry g : new ConvGeometry[] {same3(1, 1, 3, 3, 3, 1), same3(2, 3, 1, 1, 1, 2), same3(1, 2, 4, 5, 2, 9),
                conv(1, 3, 4, 5, 9, 4, 3, 3, 3, 1, 1, 1, 4, 4, 4),
                // an output that stops short of the input's end (negative padding after): only part of a row is staged
                new ConvGeometry(1, 4, 6, 8, 36, 8, 3, 3, 3, 1, 1, 1, 1, 1, 1, 5, 7, 16)}) {
            assertTrue(Winograd.supports(g));
            SplittableRandom rng = new SplittableRandom(7);
            float[] x = random(rng, (int) g.inputSize()), w = random(rng, (int) g.weightSize()), b = random(rng, g.cOut());
            float[] pack = new float[Winograd.packedSize(g.cOut(), g.cIn())], y = new float[(int) g.outputSize()];
            java.util.Arrays.fill(y, Float.NaN);
            Winograd.packWeights(w, g.cOut(), g.cIn(), g.cIn() * 27, 27, false, pack);
            Winograd.run(g, x, pack, b, y, false);
            close("Winograd.run " + g, Conformance.conv3d(REF, g, x, w, b), y);
        }
        assertFalse(Winograd.supports(conv(1, 3, 6, 6, 6, 4, 3, 3, 3, 2, 2, 2, 1, 1, 1)), "stride 2");
        assertFalse(Winograd.supports(conv(1, 3, 6, 6, 6, 4, 1, 3, 3, 1, 1, 1, 0, 1, 1)), "1×3×3");
    }

    /**
     * The decoder's first conv reading the skip and the coarser level in place, against the SPI's definition on the
     * reference backend (materialize upsample(low), concatenate, convolve): batch 2, rows with a vector tail, an odd
     * number of coarse channels, with and without bias and ReLU; switched off it runs the definition itself.
     */
    @Test
    void skipUpMatchesItsDefinition() {
        for (int[] c : new int[][] {{2, 5, 3, 4, 6, 38, 7}, {1, 16, 8, 8, 16, 64, 12}, {1, 6, 6, 10, 12, 20, 6}}) {
            int n = c[0], cSkip = c[1], cLow = c[2], d = c[3], h = c[4], w = c[5], cOut = c[6];
            ConvGeometry g = same3(n, cSkip + cLow, d, h, w, cOut);
            SplittableRandom rng = new SplittableRandom(11);
            float[] skip = random(rng, n * cSkip * d * h * w), low = random(rng, n * cLow * d * h * w / 8);
            float[] wt = random(rng, (int) g.weightSize()), b = random(rng, cOut);
            for (boolean relu : new boolean[] {false, true})
                for (float[] bias : new float[][] {b, null}) {
                    float[] ref = skipUp(REF, g, cSkip, skip, low, wt, bias, relu);
                    String what = "skipUp " + g + " relu " + relu + " bias " + (bias != null);
                    close(what, ref, skipUp(WINOGRAD, g, cSkip, skip, low, wt, bias, relu));
                    close(what + " (direct)", ref, skipUp(DIRECT, g, cSkip, skip, low, wt, bias, relu));
                }
        }
    }

    static float[] skipUp(dev.deepanat.engine.backend.Backend be, ConvGeometry g, int cSkip, float[] skip, float[] low,
                          float[] w, float[] b, boolean relu) {
        return Conformance.on(be, o -> {
            var y = o.out(g.outputSize());
            be.conv3dSkipUp(g, cSkip, o.in(skip), o.in(low), o.in(w), o.in(b), y, relu);
            return o.get(y);
        });
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        String before = System.getProperty("deepanat.threads");
        ConvGeometry g = same3(2, 17, 7, 10, 38, 13);
        assertTrue(WinogradWeight.use(g));
        SplittableRandom rng = new SplittableRandom(3);
        float[] x = random(rng, (int) g.inputSize()), w = random(rng, (int) g.weightSize()), b = random(rng, g.cOut());
        float[] dyT = random(rng, (int) g.outputSize());
        try {
            float[] ref = null, refDw = null;
            for (int t : new int[] {1, 2, 3, 5}) {
                System.setProperty("deepanat.threads", Integer.toString(t));
                float[] y = Conformance.conv3d(WINOGRAD, g, x, w, b);
                float[] dw = Conformance.conv3dBackwardWeight(WINOGRAD, g, x, dyT, false)[0];
                if (ref == null) {
                    ref = y;
                    refDw = dw;
                } else {
                    // each output is computed by one chunk, in one order, whatever the split; each weight gradient
                    // entry is summed over fixed chunks in chunk order
                    assertArrayEquals(ref, y, t + " threads");
                    assertArrayEquals(refDw, dw, "backward-weight with " + t + " threads");
                }
            }
        } finally {
            if (before == null) System.clearProperty("deepanat.threads");
            else System.setProperty("deepanat.threads", before);
        }
    }

    @Test
    void theSwitchReadsThePropertyThenTheEnvironment() {
        assertTrue(Winograd.enabled("true", null, false));
        assertFalse(Winograd.enabled("false", "1", true));
        assertTrue(Winograd.enabled(null, "1", false));
        assertFalse(Winograd.enabled("", "off", true));
        assertTrue(Winograd.enabled(null, null, true));
        assertFalse(Winograd.enabled(null, " ", false));
    }

    /** Headers and records name the setting, through the profiling wrapper too (its rates are then effective). */
    @Test
    void theSettingIsReported() {
        assertTrue(WINOGRAD.settings().equals("Winograd F(2³,3³) on"), WINOGRAD.settings());
        assertTrue(DIRECT.settings().equals("Winograd F(2³,3³) off"), DIRECT.settings());
        assertTrue(new dev.deepanat.engine.backend.ProfiledBackend(WINOGRAD).settings().equals(WINOGRAD.settings()));
    }

    /** The direct kernels stay what a switched-off backend runs: its results are not the Winograd ones. */
    @Test
    void switchedOffTheDirectKernelsRun() {
        ConvGeometry g = same3(1, 16, 6, 12, 40, 12);
        SplittableRandom rng = new SplittableRandom(5);
        float[] x = random(rng, (int) g.inputSize()), w = random(rng, (int) g.weightSize()), b = random(rng, g.cOut());
        float[] on = Conformance.conv3d(WINOGRAD, g, x, w, b), off = Conformance.conv3d(DIRECT, g, x, w, b);
        close("on vs off", off, on);
        assertFalse(java.util.Arrays.equals(on, off), "the two paths round differently, so they both ran");
    }
}
