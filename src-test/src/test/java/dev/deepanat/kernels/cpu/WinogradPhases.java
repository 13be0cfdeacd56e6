package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Conformance;
import dev.deepanat.engine.backend.ConvGeometry;

import java.util.SplittableRandom;

/**
 * Where the Winograd kernel's time goes at one shape, on one thread (not a test; {@code benchmarks/winograd_phases.sh}):
 * weight transform, input transform, the 64 GEMMs and the output transform, each timed over all chunks, and the
 * GEMM's rate in real multiply-adds against the direct convolution's "effective" rate.
 *   args: cIn cOut edge [rounds]
 */
public final class WinogradPhases {
    public static void main(String[] a) {
        int cIn = Integer.parseInt(a[0]), cOut = Integer.parseInt(a[1]), e = Integer.parseInt(a[2]);
        int rounds = a.length > 3 ? Integer.parseInt(a[3]) : 5;
        ConvGeometry g = Conformance.same3(1, cIn, e, e, e, cOut);
        SplittableRandom rng = new SplittableRandom(1);
        float[] x = Conformance.random(rng, (int) g.inputSize()), w = Conformance.random(rng, (int) g.weightSize());
        float[] b = Conformance.random(rng, cOut), y = new float[(int) g.outputSize()];
        Winograd.Tiles tl = Winograd.Tiles.of(g);
        int kp = (cOut + Winograd.MR - 1) / Winograd.MR * Winograd.MR;
        int per = a.length > 4 ? Integer.parseInt(a[4]) : tl.rowsPerChunk(cIn, kp), tp = tl.columns(per), L = 2 * tl.twr() + 2;
        float[] pack = new float[Winograd.packedSize(cOut, cIn)];
        float[] v = new float[Winograd.vSize(cIn, tp)], m = new float[Winograd.mSize(kp, tp)], st = new float[17 * L + 2 * Winograd.XI * Winograd.VL];
        System.setProperty("deepanat.threads", "1");
        double[] best = {1e30, 1e30, 1e30, 1e30};
        for (int r = -2; r < rounds; r++) {
            long[] t = new long[4];
            long t0 = System.nanoTime();
            Winograd.packWeights(w, cOut, cIn, cIn * 27, 27, false, pack);
            t[0] = System.nanoTime() - t0;
            for (int r0 = 0; r0 < tl.rows(); r0 += per) {
                int nr = Math.min(per, tl.rows() - r0);
                long s = System.nanoTime();
                Winograd.inputTransform(g, tl, x, null, cIn, r0, nr, tp, st, L, v);
                long s1 = System.nanoTime();
                Winograd.gemm(cIn, kp, tl.columns(nr), tp, pack, v, m);
                long s2 = System.nanoTime();
                Winograd.outputTransform(g, tl, m, r0, nr, tp, b, true, st, 17 * L, y);
                long s3 = System.nanoTime();
                t[1] += s1 - s;
                t[2] += s2 - s1;
                t[3] += s3 - s2;
            }
            for (int i = 0; i < 4; i++) best[i] = Math.min(best[i], t[i] * 1e-6);
        }
        double macs = (double) g.macs(), gemmMacs = 64.0 * kp * cIn * tl.rows() * (double) tp / per;
        double total = best[0] + best[1] + best[2] + best[3];
        System.out.printf(java.util.Locale.ROOT, "%d→%d @ %d³, rows/chunk %d, columns %d (%d tiles): weights %.1f ms, input %.1f ms, gemm %.1f ms"
                        + " (%.1f real GFLOP/s), output %.1f ms; total %.1f ms = %.1f effective GFLOP/s on 1 thread%n",
                cIn, cOut, e, per, tp, per * tl.tw(), best[0], best[1], best[2], 2 * gemmMacs / best[2] / 1e6, best[3], total,
                2 * macs / total / 1e6);
    }
}
