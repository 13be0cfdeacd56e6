package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import dev.deepanat.engine.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * dw[o, (c,tap)] = Σ_voxels dy[o, v] · slab[(c,tap), v] for stride 1: a GEMM whose reduction runs over the voxels,
 * which are contiguous in both operands. A 6 (output channels) × 3 (channel, tap) block of vector accumulators sweeps a
 * chunk of voxel vectors of one output plane, then is reduced across lanes into dw. Threads own disjoint (input
 * channel range, output-channel range) blocks of dw, so there is no cross-thread reduction and the result is
 * deterministic for a given thread count (the chunk boundaries follow the split, so other counts differ in the last
 * bits).
 *
 * <p>Since issue 13 only for few (channel, tap) columns (fewer than {@link ConvBackwardWeight#MIN_COLUMNS}, e.g. a
 * conv2d with one input channel): {@link ConvBackwardWeight}'s transpose of dy does not pay there. Its 9 vector
 * loads per 18 FMAs and per-chunk lane sums held it near 45 % of peak on the large layers.
 */
final class ConvBackwardWeightVoxels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    static final int MO = 6, NK = 3;
    /** Voxel vectors per accumulation chunk (amortizes the lane reductions). */
    static final int CHUNK = 96;

    private ConvBackwardWeightVoxels() {}

    static void run(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] dbias) {
        final int taps = g.kd() * g.kh() * g.kw();
        final int kTotal = g.cIn() * taps;
        java.util.Arrays.fill(dw, 0, g.cOut() * kTotal, 0f);
        final Slab slab = new Slab(g, VL);
        final ConvForward.PlaneVectors pv = ConvForward.PlaneVectors.of(g.oh(), g.ow(), slab.wp);
        final int threads = Parallel.threads();
        final int oBlocks = (g.cOut() + MO - 1) / MO;
        final int cParts = Math.min(g.cIn(), 2 * threads);
        final int oParts = cParts >= 2 * threads ? 1 : Math.min(oBlocks, (2 * threads + cParts - 1) / cParts);
        final int cPer = (g.cIn() + cParts - 1) / cParts;
        final int oPer = (oBlocks + oParts - 1) / oParts;
        final int planeOut = g.oh() * g.ow();
        final int oStride = g.od() * planeOut;
        // dy rows zero-padded so that every vector load is whole: [y][owPad] (row mode) or [y·wp + x] (flat mode).
        final int rowPitch = pv.flat() ? slab.wp : (g.ow() + VL - 1) / VL * VL;
        final int dypPlane = pv.flat() ? g.oh() * slab.wp + VL : g.oh() * rowPitch;
        final int[] dpos = new int[pv.count()];
        for (int v = 0; v < pv.count(); v++)
            dpos[v] = pv.flat() ? pv.pos()[v] : (pv.out()[v] / g.ow()) * rowPitch + pv.out()[v] % g.ow();
        final int planes = g.n() * g.od();
        Parallel.forRange(cParts * oParts, 1, (lo, hi) -> {
            for (int task = lo; task < hi; task++) {
                int cLo = (task / oParts) * cPer, cHi = Math.min(g.cIn(), cLo + cPer);
                int obLo = (task % oParts) * oPer, obHi = Math.min(oBlocks, obLo + oPer);
                if (cLo >= cHi || obLo >= obHi) continue;
                int nc = cHi - cLo;
                int kLocal = nc * taps;
                int[] boff = slab.tapOffsets(nc);
                int slabStride = slab.size(nc);
                int oLo = obLo * MO, oHi = Math.min(g.cOut(), obHi * MO), no = oHi - oLo;
                int dypStride = no * dypPlane;
                int pg = ConvForward.planeGroup(planes, pv.count(), (long) slabStride + dypStride);
                float[] s = Scratch.floats(Scratch.SLAB, pg * slabStride);
                float[] dyp = Scratch.floats(Scratch.TMP, pg * dypStride);
                int[] gpos = new int[pg * pv.count()], gdpos = new int[pg * pv.count()];
                float[] lanes = Lanes.scratch();
                for (int pl0 = 0; pl0 < planes; pl0 += pg) {
                    int np = Math.min(pg, planes - pl0);
                    for (int j = 0; j < np; j++) {
                        int n = (pl0 + j) / g.od(), z = (pl0 + j) % g.od();
                        slab.fill(x, n, z, cLo, cHi, s, j * slabStride);
                        padRows(dy, ((n * g.cOut() + oLo) * g.od() + z) * planeOut, oStride, no, g.oh(), g.ow(),
                                rowPitch, dypPlane, dyp, j * dypStride);
                        for (int v = 0; v < pv.count(); v++) {
                            gpos[j * pv.count() + v] = j * slabStride + pv.pos()[v];
                            gdpos[j * pv.count() + v] = j * dypStride + dpos[v];
                        }
                    }
                    int nv = np * pv.count();
                    for (int v0 = 0; v0 < nv; v0 += CHUNK) {
                        int v1 = Math.min(nv, v0 + CHUNK);
                        for (int kb = 0; kb < kLocal; kb += NK) {
                            int cols = Math.min(NK, kLocal - kb);
                            for (int ob = obLo; ob < obHi; ob++) {
                                int o0 = ob * MO;
                                int rows = Math.min(MO, g.cOut() - o0);
                                micro6x3(dyp, (o0 - oLo) * dypPlane, dypPlane, rows,
                                        s, boff, kb, cols, gpos, gdpos, v0, v1,
                                        dw, o0 * kTotal + cLo * taps + kb, kTotal, lanes);
                            }
                        }
                    }
                }
            }
        });
        if (dbias != null) Reductions.rowSums(dy, g.n(), g.cOut(), oStride, dbias);
    }

    /** dyp[at + o·dypPlane + y·pitch + x] = dy row y of channel o, zero elsewhere in the padded plane. */
    static void padRows(float[] dy, int off, int oStride, int channels, int oh, int ow, int pitch, int dypPlane,
                        float[] dyp, int at) {
        for (int o = 0; o < channels; o++) {
            int base = at + o * dypPlane;
            java.util.Arrays.fill(dyp, base, base + dypPlane, 0f);
            for (int y = 0; y < oh; y++) System.arraycopy(dy, off + o * oStride + y * ow, dyp, base + y * pitch, ow);
        }
    }

    /**
     * acc[r][j] = Σ_v dyp[row of output channel o0 + r][v] · slab[boff[kb + j] + pos(v)] over the chunk's vectors, for a
     * 6 (output channels) × 3 (channel, tap) block, then reduced across lanes and added into dw. dyp is the planes' dy
     * with each row zero-padded to whole vectors, so every load is a full vector. (A 4 × 5 block ran ≈ 20 % slower.)
     */
    static void micro6x3(float[] dyp, int dyOff, int oStride, int rows, float[] s, int[] boff, int kb, int cols,
                         int[] pos, int[] dpos, int v0, int v1, float[] dw, int dwOff, int kTotal, float[] lanes) {
        int d0 = dyOff, d1 = dyOff + Math.min(1, rows - 1) * oStride, d2 = dyOff + Math.min(2, rows - 1) * oStride,
                d3 = dyOff + Math.min(3, rows - 1) * oStride, d4 = dyOff + Math.min(4, rows - 1) * oStride,
                d5 = dyOff + Math.min(5, rows - 1) * oStride;
        int x0 = boff[kb], x1 = boff[kb + Math.min(1, cols - 1)], x2 = boff[kb + Math.min(2, cols - 1)];
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a30 = a00, a31 = a00, a32 = a00;
        FloatVector a40 = a00, a41 = a00, a42 = a00, a50 = a00, a51 = a00, a52 = a00;
        for (int v = v0; v < v1; v++) {
            int p = pos[v], q = dpos[v];
            FloatVector b0 = FloatVector.fromArray(S, s, x0 + p);
            FloatVector b1 = FloatVector.fromArray(S, s, x1 + p);
            FloatVector b2 = FloatVector.fromArray(S, s, x2 + p);
            FloatVector y = FloatVector.fromArray(S, dyp, d0 + q);
            a00 = y.fma(b0, a00); a01 = y.fma(b1, a01); a02 = y.fma(b2, a02);
            y = FloatVector.fromArray(S, dyp, d1 + q);
            a10 = y.fma(b0, a10); a11 = y.fma(b1, a11); a12 = y.fma(b2, a12);
            y = FloatVector.fromArray(S, dyp, d2 + q);
            a20 = y.fma(b0, a20); a21 = y.fma(b1, a21); a22 = y.fma(b2, a22);
            y = FloatVector.fromArray(S, dyp, d3 + q);
            a30 = y.fma(b0, a30); a31 = y.fma(b1, a31); a32 = y.fma(b2, a32);
            y = FloatVector.fromArray(S, dyp, d4 + q);
            a40 = y.fma(b0, a40); a41 = y.fma(b1, a41); a42 = y.fma(b2, a42);
            y = FloatVector.fromArray(S, dyp, d5 + q);
            a50 = y.fma(b0, a50); a51 = y.fma(b1, a51); a52 = y.fma(b2, a52);
        }
        addRow(dw, dwOff, cols, a00, a01, a02, lanes);
        if (rows > 1) addRow(dw, dwOff + kTotal, cols, a10, a11, a12, lanes);
        if (rows > 2) addRow(dw, dwOff + 2 * kTotal, cols, a20, a21, a22, lanes);
        if (rows > 3) addRow(dw, dwOff + 3 * kTotal, cols, a30, a31, a32, lanes);
        if (rows > 4) addRow(dw, dwOff + 4 * kTotal, cols, a40, a41, a42, lanes);
        if (rows > 5) addRow(dw, dwOff + 5 * kTotal, cols, a50, a51, a52, lanes);
    }

    private static void addRow(float[] dw, int off, int cols, FloatVector c0, FloatVector c1, FloatVector c2, float[] lanes) {
        dw[off] += Lanes.sum(c0, lanes);
        if (cols > 1) dw[off + 1] += Lanes.sum(c1, lanes);
        if (cols > 2) dw[off + 2] += Lanes.sum(c2, lanes);
    }
}
