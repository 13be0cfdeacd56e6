package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import dev.deepanat.engine.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * dw[o, (c,tap)] = Σ_voxels dy[o, v] · slab[(c,tap), v], computed transposed with the vectors along the output
 * channels: dwᵀ[(c,tap), o] = Σ_v slab[(c,tap), v] · dyᵀ[v, o].
 *
 * <p>dy is first transposed once per call to dyᵀ[plane][v][o] (o padded to whole vectors with zeros). A 6 ((c,tap)
 * columns) × 3 (vectors of output channels) block of accumulators then steps voxel by voxel: per voxel 6 scalar
 * broadcasts from the slab and 3 vector loads from dyᵀ for 18 FMAs — the forward kernel's load mix. (The earlier
 * form, vectors along the voxels, loaded 9 unaligned vectors per 18 FMAs, which kept it near 45 % of peak, and paid
 * a lane reduction per dw entry and chunk.) The lanes are output channels, so there is no lane reduction at all.
 *
 * <p>Tasks own disjoint input-channel ranges (and, when there are few input channels, output-channel blocks), sized
 * so that a task's dwᵀ block stays about 1 MiB and there are at least two tasks per thread. A task's dwᵀ lives in scratch; its blocks are loaded into
 * registers for a chunk of voxels (rows of one plane, chosen so the 3 dyᵀ vectors per voxel stay in L1 while the
 * task's columns sweep them) and stored back. Each dw entry is a sum along the voxels in one fixed order (planes, rows,
 * x) whatever the partition, so the result is the same bit for bit at any thread count and vector width.
 */
final class ConvBackwardWeight {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    static final int NK = 6, NO = 3;
    /**
     * Voxels per chunk (whole rows): 256 × 3 vectors of dyᵀ = 48 KiB at 512 bits. Measured against 64 and 128 (and a
     * whole 64² plane): 256 was fastest at 64³…8³ (docs/performance.md).
     */
    static final int CHUNK = Integer.getInteger("deepanat.cpu.bwChunk", 256);
    /** Voxels summed into a partial dwᵀ before it is added to the task's total (accuracy of long sums). */
    static final int FLUSH = 4096;
    /**
     * Fewer (channel, tap) columns than this go to {@link ConvBackwardWeightVoxels}: the scalar transpose of dy costs
     * about as much as the FMAs when each dyᵀ vector serves only a few columns (1 → 64 conv2d on 64², batch 10: 2.6 ×
     * slower here than the voxel-vector kernel; 11 → 48 conv3d, 297 columns: 0.73 × its time).
     */
    static final int MIN_COLUMNS = 64;
    /** Floats of one task's dwᵀ block (1 MiB). */
    static final int ACC_FLOATS = 1 << 18;

    private ConvBackwardWeight() {}

    static boolean use(ConvGeometry g) {
        return (long) g.cIn() * g.kd() * g.kh() * g.kw() >= MIN_COLUMNS;
    }

    static void run(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] dbias) {
        final int taps = g.kd() * g.kh() * g.kw();
        final int kTotal = g.cIn() * taps;
        final Slab slab = new Slab(g, VL);
        final int threads = Parallel.threads();
        final int oh = g.oh(), ow = g.ow(), planeOut = oh * ow, od = g.od(), cOut = g.cOut();
        final int planes = g.n() * od;
        final int oVecs = (cOut + VL - 1) / VL, cOutP = oVecs * VL;
        final float[] dyT = Scratch.floats(Scratch.SHARED, planes * planeOut * cOutP);
        transpose(dy, g.n(), cOut, od, planeOut, cOutP, dyT);
        final int cFit = Math.max(1, ACC_FLOATS / (taps * cOutP));
        final int cPer = Math.max(1, Math.min(cFit, g.cIn() / (2 * threads)));
        final int cParts = (g.cIn() + cPer - 1) / cPer;
        // Few input channels (a first layer): output-channel blocks split too, so that every thread has work.
        final int oBlocks = (oVecs + NO - 1) / NO;
        final int oParts = cParts >= 2 * threads ? 1 : Math.min(oBlocks, (2 * threads + cParts - 1) / cParts);
        final int oPer = (oBlocks + oParts - 1) / oParts;
        final int rowsPer = Math.max(1, Math.min(oh, CHUNK / ow));
        // The sums run along up to FLUSH voxels in registers and the partial dwᵀ, then into the total: float error
        // grows with the length of a sequential sum, and a 64³ volume has 262 144 voxels.
        final int flushPlanes = Math.max(1, FLUSH / planeOut);
        Parallel.forRange(cParts * oParts, 1, (lo, hi) -> {
            for (int task = lo; task < hi; task++) {
                int cLo = (task / oParts) * cPer, cHi = Math.min(g.cIn(), cLo + cPer);
                int vLo = (task % oParts) * oPer * NO, vHi = Math.min(oVecs, vLo + oPer * NO);
                if (cLo >= cHi || vLo >= vHi) continue;
                int nc = cHi - cLo, kLocal = nc * taps;
                int[] boff = slab.tapOffsets(nc);
                int slabStride = slab.size(nc);
                int accSize = kLocal * cOutP;
                float[] acc = Scratch.floats(Scratch.TMP, accSize), tot = Scratch.floats(Scratch.PACK, accSize);
                java.util.Arrays.fill(acc, 0, accSize, 0f);
                java.util.Arrays.fill(tot, 0, accSize, 0f);
                float[] s = Scratch.floats(Scratch.SLAB, slabStride);
                for (int pl = 0; pl < planes; pl++) {
                    slab.fill(x, pl / od, pl % od, cLo, cHi, s, 0);
                    int qPlane = pl * planeOut * cOutP;
                    for (int y0 = 0; y0 < oh; y0 += rowsPer) {
                        int y1 = Math.min(oh, y0 + rowsPer);
                        for (int ob = vLo; ob < vHi; ob += NO) {
                            int vecs = Math.min(NO, vHi - ob);
                            for (int kb = 0; kb < kLocal; kb += NK)
                                micro6x3(s, boff, kb, Math.min(NK, kLocal - kb), y0, y1, ow, slab.wp,
                                        dyT, qPlane + ob * VL, cOutP, vecs, acc, kb * cOutP + ob * VL);
                        }
                    }
                    if ((pl + 1) % flushPlanes == 0 || pl == planes - 1) flush(acc, tot, accSize);
                }
                for (int o = vLo * VL; o < Math.min(cOut, vHi * VL); o++) {
                    int row = o * kTotal + cLo * taps;
                    for (int k = 0; k < kLocal; k++) dw[row + k] = tot[k * cOutP + o];
                }
            }
        });
        if (dbias != null) Reductions.rowSums(dy, g.n(), cOut, od * planeOut, dbias);
    }

    /** tot += acc, acc = 0 (n floats; vector loop, scalar tail). */
    static void flush(float[] acc, float[] tot, int n) {
        int upper = S.loopBound(n), i = 0;
        for (; i < upper; i += VL) {
            FloatVector.fromArray(S, tot, i).add(FloatVector.fromArray(S, acc, i)).intoArray(tot, i);
            FloatVector.zero(S).intoArray(acc, i);
        }
        for (; i < n; i++) {
            tot[i] += acc[i];
            acc[i] = 0f;
        }
    }

    /** dyT[((n·od + z)·planeOut + v)·cOutP + o] = dy[((n·cOut + o)·od + z)·planeOut + v], 0 for o ≥ cOut. */
    static void transpose(float[] dy, int n, int cOut, int od, int planeOut, int cOutP, float[] dyT) {
        final int block = 64;
        final int blocks = (planeOut + block - 1) / block;
        Parallel.forRange(n * od * blocks, 16, (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
                int pl = t / blocks, v0 = (t % blocks) * block, v1 = Math.min(planeOut, v0 + block);
                int b = pl / od, z = pl % od;
                int dst = pl * planeOut * cOutP;
                for (int o = 0; o < cOut; o++) {
                    int src = ((b * cOut + o) * od + z) * planeOut;
                    for (int v = v0; v < v1; v++) dyT[dst + v * cOutP + o] = dy[src + v];
                }
                for (int o = cOut; o < cOutP; o++)
                    for (int v = v0; v < v1; v++) dyT[dst + v * cOutP + o] = 0f;
            }
        });
    }

    /**
     * acc[kb + j][ob + i] += Σ_(y ∈ [y0, y1), x &lt; ow) slab[boff[kb + j] + y·wp + x] · dyT[q + (y·ow + x)·cOutP + i·VL]
     * for j &lt; 6 columns and i &lt; 3 output-channel vectors (acc row stride cOutP, starting at at). Columns ≥ cols
     * and vectors ≥ vecs repeat the last valid one and are not stored.
     */
    static void micro6x3(float[] s, int[] boff, int kb, int cols, int y0, int y1, int ow, int wp,
                         float[] dyT, int q, int cOutP, int vecs, float[] acc, int at) {
        int x0 = boff[kb], x1 = boff[kb + Math.min(1, cols - 1)], x2 = boff[kb + Math.min(2, cols - 1)],
                x3 = boff[kb + Math.min(3, cols - 1)], x4 = boff[kb + Math.min(4, cols - 1)],
                x5 = boff[kb + Math.min(5, cols - 1)];
        int o1 = Math.min(1, vecs - 1) * VL, o2 = Math.min(2, vecs - 1) * VL;
        int e0 = at, e1 = at + Math.min(1, cols - 1) * cOutP, e2 = at + Math.min(2, cols - 1) * cOutP,
                e3 = at + Math.min(3, cols - 1) * cOutP, e4 = at + Math.min(4, cols - 1) * cOutP,
                e5 = at + Math.min(5, cols - 1) * cOutP;
        FloatVector a00 = FloatVector.fromArray(S, acc, e0), a01 = FloatVector.fromArray(S, acc, e0 + o1),
                a02 = FloatVector.fromArray(S, acc, e0 + o2);
        FloatVector a10 = FloatVector.fromArray(S, acc, e1), a11 = FloatVector.fromArray(S, acc, e1 + o1),
                a12 = FloatVector.fromArray(S, acc, e1 + o2);
        FloatVector a20 = FloatVector.fromArray(S, acc, e2), a21 = FloatVector.fromArray(S, acc, e2 + o1),
                a22 = FloatVector.fromArray(S, acc, e2 + o2);
        FloatVector a30 = FloatVector.fromArray(S, acc, e3), a31 = FloatVector.fromArray(S, acc, e3 + o1),
                a32 = FloatVector.fromArray(S, acc, e3 + o2);
        FloatVector a40 = FloatVector.fromArray(S, acc, e4), a41 = FloatVector.fromArray(S, acc, e4 + o1),
                a42 = FloatVector.fromArray(S, acc, e4 + o2);
        FloatVector a50 = FloatVector.fromArray(S, acc, e5), a51 = FloatVector.fromArray(S, acc, e5 + o1),
                a52 = FloatVector.fromArray(S, acc, e5 + o2);
        for (int y = y0; y < y1; y++) {
            int p = y * wp, qq = q + y * ow * cOutP;
            for (int xx = 0; xx < ow; xx++, p++, qq += cOutP) {
                FloatVector d0 = FloatVector.fromArray(S, dyT, qq);
                FloatVector d1 = FloatVector.fromArray(S, dyT, qq + o1);
                FloatVector d2 = FloatVector.fromArray(S, dyT, qq + o2);
                FloatVector b = FloatVector.broadcast(S, s[x0 + p]);
                a00 = d0.fma(b, a00); a01 = d1.fma(b, a01); a02 = d2.fma(b, a02);
                b = FloatVector.broadcast(S, s[x1 + p]);
                a10 = d0.fma(b, a10); a11 = d1.fma(b, a11); a12 = d2.fma(b, a12);
                b = FloatVector.broadcast(S, s[x2 + p]);
                a20 = d0.fma(b, a20); a21 = d1.fma(b, a21); a22 = d2.fma(b, a22);
                b = FloatVector.broadcast(S, s[x3 + p]);
                a30 = d0.fma(b, a30); a31 = d1.fma(b, a31); a32 = d2.fma(b, a32);
                b = FloatVector.broadcast(S, s[x4 + p]);
                a40 = d0.fma(b, a40); a41 = d1.fma(b, a41); a42 = d2.fma(b, a42);
                b = FloatVector.broadcast(S, s[x5 + p]);
                a50 = d0.fma(b, a50); a51 = d1.fma(b, a51); a52 = d2.fma(b, a52);
            }
        }
        // Stored last column and vector first, so that a repeated (clamped) one is overwritten by the valid one last:
        // both hold the same value anyway, computed from the same inputs in the same order.
        a52.intoArray(acc, e5 + o2); a51.intoArray(acc, e5 + o1); a50.intoArray(acc, e5);
        a42.intoArray(acc, e4 + o2); a41.intoArray(acc, e4 + o1); a40.intoArray(acc, e4);
        a32.intoArray(acc, e3 + o2); a31.intoArray(acc, e3 + o1); a30.intoArray(acc, e3);
        a22.intoArray(acc, e2 + o2); a21.intoArray(acc, e2 + o1); a20.intoArray(acc, e2);
        a12.intoArray(acc, e1 + o2); a11.intoArray(acc, e1 + o1); a10.intoArray(acc, e1);
        a02.intoArray(acc, e0 + o2); a01.intoArray(acc, e0 + o1); a00.intoArray(acc, e0);
    }
}
