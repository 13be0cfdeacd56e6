package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * dw[o, (c,tap)] = Σ_voxels dy[o, v] · slab[(c,tap), v] for stride 1: a GEMM whose reduction runs over the voxels,
 * which are contiguous in both operands. A 4 (output channels) × 6 (channel, tap) block of vector accumulators sweeps a
 * chunk of voxel vectors of one output plane, then is reduced across lanes into dw. Threads own disjoint (input
 * channel range, output-channel range) blocks of dw, so there is no cross-thread reduction and the result is
 * deterministic.
 */
final class ConvBackwardWeight {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    static final int MO = 4, NK = 6;
    /** Voxel vectors per accumulation chunk (amortizes the lane reductions). */
    static final int CHUNK = 96;

    private ConvBackwardWeight() {}

    static void run(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] dbias) {
        final int taps = g.kd() * g.kh() * g.kw();
        final int kTotal = g.cIn() * taps;
        java.util.Arrays.fill(dw, 0, g.cOut() * kTotal, 0f);
        final Slab slab = new Slab(g, VL);
        final ConvForward.RowVectors rv = ConvForward.RowVectors.of(g.oh(), g.ow(), slab.wp);
        final int threads = Parallel.threads();
        final int oBlocks = (g.cOut() + MO - 1) / MO;
        final int cParts = Math.min(g.cIn(), 2 * threads);
        final int oParts = cParts >= 2 * threads ? 1 : Math.min(oBlocks, (2 * threads + cParts - 1) / cParts);
        final int cPer = (g.cIn() + cParts - 1) / cParts;
        final int oPer = (oBlocks + oParts - 1) / oParts;
        final int planeOut = g.oh() * g.ow();
        final int oStride = g.od() * planeOut;
        Parallel.forRange(cParts * oParts, 1, (lo, hi) -> {
            for (int task = lo; task < hi; task++) {
                int cLo = (task / oParts) * cPer, cHi = Math.min(g.cIn(), cLo + cPer);
                int obLo = (task % oParts) * oPer, obHi = Math.min(oBlocks, obLo + oPer);
                if (cLo >= cHi || obLo >= obHi) continue;
                int nc = cHi - cLo;
                int kLocal = nc * taps;
                int[] boff = slab.tapOffsets(nc);
                float[] s = Scratch.floats(Scratch.SLAB, slab.size(nc));
                for (int n = 0; n < g.n(); n++)
                    for (int z = 0; z < g.od(); z++) {
                        slab.fill(x, n, z, cLo, cHi, s);
                        int qBase = z * planeOut;
                        for (int v0 = 0; v0 < rv.count(); v0 += CHUNK) {
                            int v1 = Math.min(rv.count(), v0 + CHUNK);
                            for (int kb = 0; kb < kLocal; kb += NK) {
                                int cols = Math.min(NK, kLocal - kb);
                                for (int ob = obLo; ob < obHi; ob++) {
                                    int o0 = ob * MO;
                                    int rows = Math.min(MO, g.cOut() - o0);
                                    micro4x6(dy, (n * g.cOut() + o0) * oStride + qBase, oStride, rows,
                                            s, boff, kb, cols, rv, v0, v1,
                                            dw, o0 * kTotal + cLo * taps + kb, kTotal);
                                }
                            }
                        }
                    }
            }
        });
        if (dbias != null) Reductions.rowSums(dy, g.n(), g.cOut(), oStride, dbias);
    }

    static void micro4x6(float[] dy, int dyOff, int oStride, int rows, float[] s, int[] boff, int kb, int cols,
                         ConvForward.RowVectors rv, int v0, int v1, float[] dw, int dwOff, int kTotal) {
        int d0 = dyOff, d1 = dyOff + Math.min(1, rows - 1) * oStride,
                d2 = dyOff + Math.min(2, rows - 1) * oStride, d3 = dyOff + Math.min(3, rows - 1) * oStride;
        int x0 = boff[kb], x1 = boff[kb + Math.min(1, cols - 1)], x2 = boff[kb + Math.min(2, cols - 1)],
                x3 = boff[kb + Math.min(3, cols - 1)], x4 = boff[kb + Math.min(4, cols - 1)],
                x5 = boff[kb + Math.min(5, cols - 1)];
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a04 = a00, a05 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00, a14 = a00, a15 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00, a24 = a00, a25 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00, a34 = a00, a35 = a00;
        int[] pos = rv.pos(), out = rv.out(), lanes = rv.lanes();
        for (int v = v0; v < v1; v++) {
            int p = pos[v], q = out[v];
            FloatVector y0, y1, y2, y3, b0, b1, b2, b3, b4, b5;
            if (lanes[v] == VL) {
                y0 = FloatVector.fromArray(S, dy, d0 + q);
                y1 = FloatVector.fromArray(S, dy, d1 + q);
                y2 = FloatVector.fromArray(S, dy, d2 + q);
                y3 = FloatVector.fromArray(S, dy, d3 + q);
                b0 = FloatVector.fromArray(S, s, x0 + p);
                b1 = FloatVector.fromArray(S, s, x1 + p);
                b2 = FloatVector.fromArray(S, s, x2 + p);
                b3 = FloatVector.fromArray(S, s, x3 + p);
                b4 = FloatVector.fromArray(S, s, x4 + p);
                b5 = FloatVector.fromArray(S, s, x5 + p);
            } else {
                VectorMask<Float> m = S.indexInRange(0, lanes[v]);
                y0 = FloatVector.fromArray(S, dy, d0 + q, m);
                y1 = FloatVector.fromArray(S, dy, d1 + q, m);
                y2 = FloatVector.fromArray(S, dy, d2 + q, m);
                y3 = FloatVector.fromArray(S, dy, d3 + q, m);
                b0 = FloatVector.fromArray(S, s, x0 + p, m);
                b1 = FloatVector.fromArray(S, s, x1 + p, m);
                b2 = FloatVector.fromArray(S, s, x2 + p, m);
                b3 = FloatVector.fromArray(S, s, x3 + p, m);
                b4 = FloatVector.fromArray(S, s, x4 + p, m);
                b5 = FloatVector.fromArray(S, s, x5 + p, m);
            }
            a00 = y0.fma(b0, a00); a01 = y0.fma(b1, a01); a02 = y0.fma(b2, a02);
            a03 = y0.fma(b3, a03); a04 = y0.fma(b4, a04); a05 = y0.fma(b5, a05);
            a10 = y1.fma(b0, a10); a11 = y1.fma(b1, a11); a12 = y1.fma(b2, a12);
            a13 = y1.fma(b3, a13); a14 = y1.fma(b4, a14); a15 = y1.fma(b5, a15);
            a20 = y2.fma(b0, a20); a21 = y2.fma(b1, a21); a22 = y2.fma(b2, a22);
            a23 = y2.fma(b3, a23); a24 = y2.fma(b4, a24); a25 = y2.fma(b5, a25);
            a30 = y3.fma(b0, a30); a31 = y3.fma(b1, a31); a32 = y3.fma(b2, a32);
            a33 = y3.fma(b3, a33); a34 = y3.fma(b4, a34); a35 = y3.fma(b5, a35);
        }
        addRow(dw, dwOff, cols, a00, a01, a02, a03, a04, a05);
        if (rows > 1) addRow(dw, dwOff + kTotal, cols, a10, a11, a12, a13, a14, a15);
        if (rows > 2) addRow(dw, dwOff + 2 * kTotal, cols, a20, a21, a22, a23, a24, a25);
        if (rows > 3) addRow(dw, dwOff + 3 * kTotal, cols, a30, a31, a32, a33, a34, a35);
    }

    private static void addRow(float[] dw, int off, int cols, FloatVector c0, FloatVector c1, FloatVector c2,
                               FloatVector c3, FloatVector c4, FloatVector c5) {
        dw[off] += c0.reduceLanes(VectorOperators.ADD);
        if (cols > 1) dw[off + 1] += c1.reduceLanes(VectorOperators.ADD);
        if (cols > 2) dw[off + 2] += c2.reduceLanes(VectorOperators.ADD);
        if (cols > 3) dw[off + 3] += c3.reduceLanes(VectorOperators.ADD);
        if (cols > 4) dw[off + 4] += c4.reduceLanes(VectorOperators.ADD);
        if (cols > 5) dw[off + 5] += c5.reduceLanes(VectorOperators.ADD);
    }
}
