package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Conformance;
import dev.deepanat.engine.backend.ConvGeometry;
import java.util.SplittableRandom;

public final class WinogradInputExp {
    public static void main(String[] a) {
        int cIn = Integer.parseInt(a[0]), e = Integer.parseInt(a[1]);
        ConvGeometry g = Conformance.same3(1, cIn, e, e, e, 48);
        float[] x = Conformance.random(new SplittableRandom(1), (int) g.inputSize());
        Winograd.Tiles tl = Winograd.Tiles.of(g);
        int per = 3, tp = tl.columns(per), L = 2 * tl.twr() + 2, VL = Winograd.VL;
        float[] v = new float[Winograd.vSize(cIn, tp)], st = new float[17 * L + 2 * 64 * VL];
        int xiStride = Winograd.vStride(cIn, tp), t1 = 17 * L;
        for (int round = 0; round < 8; round++) {
            long[] t = new long[3];
            for (int mode = 0; mode < 3; mode++) {
                long t0 = System.nanoTime();
                for (int r0 = 0; r0 < tl.rows(); r0 += per) {
                    int nr = Math.min(per, tl.rows() - r0);
                    for (int c = 0; c < cIn; c++)
                        for (int rr = 0; rr < nr; rr++) {
                            int r = r0 + rr, tz = r / tl.th() % tl.td(), ty = r % tl.th();
                            if (mode != 1)
                                for (int i = 0; i < 4; i++)
                                    for (int j = 0; j < 4; j++) {
                                        int z = 2 * tz - 1 + i, yy = 2 * ty - 1 + j;
                                        if (z >= 0 && z < e && yy >= 0 && yy < e)
                                            Winograd.stageRow(x, ((c * e + z) * e + yy) * e, e, st, (i * 4 + j) * L, L / 2, 1);
                                    }
                            if (mode != 0) {
                                int tBase = c * tp + rr * tl.tw();
                                for (int x0 = 0; x0 < tl.tw(); x0 += VL) {
                                    for (int ij = 0; ij < 16; ij++) Winograd.inputX(st, ij * L + x0, L / 2, t1 + ij * 4 * VL);
                                    for (int xx = 0; xx < 4; xx++) Winograd.inputYZ(st, t1 + xx * VL, v, xx * xiStride + tBase + x0, xiStride);
                                }
                            }
                        }
                }
                t[mode] = System.nanoTime() - t0;
            }
            if (round >= 5) System.out.printf("cIn %d @ %d³: staging only %.1f ms, transforms only %.1f ms, both %.1f ms%n", cIn, e, t[0] / 1e6, t[1] / 1e6, t[2] / 1e6);
        }
    }
}
