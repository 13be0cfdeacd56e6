package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.Conformance;

import java.util.SplittableRandom;

/**
 * A paired, interleaved A/B of the two cpu forward kernels at one shape, in one JVM (not a test; run by
 * {@code benchmarks/ab_deep.sh}): per round, ConvForward (voxel vectors) then ConvSmall (channel vectors), or the
 * reverse order on odd rounds, each including its weight packing as {@code CpuBackend.conv3d} does. Prints the median
 * ms and GFLOP/s of each and the fraction of rounds in which ConvSmall was faster.
 *   args: cIn cOut edge [rounds]
 */
public final class ConvForwardAB {
    public static void main(String[] a) {
        int cIn = Integer.parseInt(a[0]), cOut = Integer.parseInt(a[1]), e = Integer.parseInt(a[2]);
        int rounds = a.length > 3 ? Integer.parseInt(a[3]) : 21;
        ConvGeometry g = Conformance.same3(1, cIn, e, e, e, cOut);
        SplittableRandom rng = new SplittableRandom(1);
        float[] x = Conformance.random(rng, (int) g.inputSize()), w = Conformance.random(rng, (int) g.weightSize());
        float[] b = Conformance.random(rng, cOut), y = new float[(int) g.outputSize()];
        int taps = 27, k = cIn * taps;
        long[][] t = new long[2][rounds];
        int smallWins = 0;
        for (int r = -3; r < rounds; r++) {
            long[] dt = new long[2];
            for (int q = 0; q < 2; q++) {
                int which = (r & 1) == 0 ? q : 1 - q;
                long t0 = System.nanoTime();
                if (which == 0) {
                    float[] pack = Scratch.floats(Scratch.PACK, ConvForward.packedSize(cOut, k));
                    ConvForward.packWeights(w, cOut, k, pack);
                    ConvForward.run(g, x, pack, b, y, true);
                } else {
                    float[] pack = Scratch.floats(Scratch.PACK, ConvSmall.panels(cOut) * ConvSmall.NP * k);
                    ConvSmall.packT(w, cOut, cIn, taps, ConvSmall.identity(taps), false, pack);
                    ConvSmall.forward(g, x, pack, b, y, true);
                }
                dt[which] = System.nanoTime() - t0;
            }
            if (r >= 0) {
                t[0][r] = dt[0];
                t[1][r] = dt[1];
                if (dt[1] < dt[0]) smallWins++;
            }
        }
        double flop = 2.0 * g.macs();
        for (int v = 0; v < 2; v++) {
            long[] s = t[v].clone();
            java.util.Arrays.sort(s);
            double ms = s[rounds / 2] / 1e6;
            System.out.printf("%d→%d @ %d³ %-12s median %8.2f ms  %6.1f GFLOP/s  (min %.2f, max %.2f)%n", cIn, cOut, e,
                    v == 0 ? "ConvForward" : "ConvSmall", ms, flop / ms / 1e6, s[0] / 1e6, s[rounds - 1] / 1e6);
        }
        System.out.printf("ConvSmall faster in %d of %d rounds%n", smallWins, rounds);
    }
}
