package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import dev.deepanat.engine.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolutions on small output planes (the discriminator's 16², 8² and 4² levels, the U-Net's deepest ones), with the
 * vectors along the <em>output channels</em> instead of the voxels. {@link ConvForward} puts the voxels of one plane
 * in the vector lanes: an 8×8 or 4×4 plane fills them only partly (flat mode, 50–80 %), and backward-weight, which
 * reduces along the voxels, pays a lane reduction per 18 dW entries for only n·oh·ow voxels. Here the GEMMs are
 * transposed so that the channel counts (64…512, multiples of the vector length) are the vector dimension:
 *
 * <pre>
 *   forward        yᵀ[v, o]     = Σ_(c,tap)  slab[(c,tap) offset + pos(v)] · Wᵀ[(c,tap), o]
 *   backward-weight dWᵀ[(c,tap), o] = Σ_v      slab[(c,tap) offset + pos(v)] · dyᵀ[v, o]
 * </pre>
 *
 * (backward-data is the forward on dy, per stride phase, see {@link ConvBackwardData}). Both run one micro-kernel,
 * {@link #micro}: 6 rows × 4 vectors (NP = 4·VL = 64 output channels on AVX-512, 24 accumulators), each step
 * broadcasting 6 slab scalars and loading 4 vectors of a packed panel [t][NP]; the padded slab ({@link Slab}, any
 * stride) supplies the scalars without border checks, and output channels are padded to whole panels with zeros.
 *
 * <p>Blocking. Forward: the slabs of a group of planes are filled once into a buffer shared by the threads (≤ 16 MiB);
 * tasks are (output-channel panel, plane range); each sweeps the reduction in blocks of KC rows so that the panel's
 * block (KC × NP floats, 256 KiB) stays in L2 while all its tiles of 6 voxels pass over it, accumulating in a small
 * per-task yᵀ buffer that is transposed into y (with the bias) at the end. Backward-weight: tasks own disjoint
 * (input-channel range × panel range) blocks of dWᵀ, fill their own slabs and dyᵀ panels per group of planes, and
 * sweep the group's voxels for each 6 (c,tap) rows × one panel: no lane reductions and no cross-thread sums, so the
 * result does not depend on the number of threads.
 */
final class ConvSmall {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    static final int MR = 6, NV = 4, NP = NV * VL;
    /** Reduction rows per forward block: KC × NP floats = 256 KiB at NP = 64. */
    static final int KC = 1024;
    static final int MAX_PLANE = 256, MAX_PLANE_WEIGHT = 1024, MAX_PLANE_S1 = 1024;

    private ConvSmall() {}

    /**
     * Forward and backward-data: output planes up to 32 × 32 at stride 1 and 16 × 16 at larger strides, and channel
     * counts that fill whole vectors. Measured (n = 10, 2 threads): 64→128 at 32² stride 1 ran 7.6 ms here against
     * 10.7–11.3 in {@link ConvForward}; 64→64 stride 2 onto 32², whose 4-phase slab is 4× the plane, ran 11.7 here
     * against 6.6 there (the scalar operands of a tile then come from a slab too large for L1).
     */
    static boolean use(ConvGeometry g, int vecChannels) {
        int max = g.sh() == 1 && g.sw() == 1 ? MAX_PLANE_S1 : MAX_PLANE;
        return twoD(g) && ConvForward.supports(g) && g.oh() * g.ow() <= max && vecChannels % VL == 0 && vecChannels >= 2 * VL;
    }

    /**
     * Forward only, 3-D: the U-Net's deepest levels (8³ and 4³ planes, stride 1, ≥ 2 vectors of output channels). There
     * {@link ConvForward}'s flat vectors fill 80 % (8²) or 50 % (4²) of their lanes and 2–8 planes give few voxel tiles;
     * here every lane is an output channel. (Backward-data keeps {@link #use}: not measured on 3-D layers.)
     */
    static boolean useForward3d(ConvGeometry g) {
        return !twoD(g) && ConvForward.supports(g) && g.sd() == 1 && g.sh() == 1 && g.sw() == 1
                && g.oh() * g.ow() <= MAX_PLANE_3D && g.cOut() % VL == 0 && g.cOut() >= 2 * VL;
    }

    static final int MAX_PLANE_3D = 64;

    /** Backward-weight: up to 32 × 32 planes (where the voxel-reducing kernel still pays a lane reduction per 96 vectors). */
    static boolean useForWeight(ConvGeometry g) {
        return twoD(g) && ConvForward.supports(g) && g.oh() * g.ow() <= MAX_PLANE_WEIGHT && g.cOut() % VL == 0 && g.cOut() >= 2 * VL;
    }

    /**
     * Only 2-D convolutions (the GAN discriminator's), for which these kernels were measured: on the U-Net's 3-D layers
     * at 32³ and below, backward-weight here made the f=48 64³ training step 3× slower (20 s instead of 7).
     */
    private static boolean twoD(ConvGeometry g) {
        return g.kd() == 1 && g.d() == 1;
    }

    static int panels(int channels) {
        return (channels + NP - 1) / NP;
    }

    /**
     * Packs Wᵀ as [panel][(row channel, t)][NP] with the sub-kernel taps tapMap[t]: forward, rows (c, t) and columns o,
     * pack = w[o, c, tapMap[t]]; backward-data ({@code byInput}), rows (o, t) and columns c, the same w entry. Reads w
     * in runs along its rows and writes within a block of 64 pack rows (L1), not w's column order (a cache miss per
     * element at 512 channels).
     */
    static void packT(float[] w, int cOut, int cIn, int taps, int[] tapMap, boolean byInput, float[] pack) {
        final int sub = tapMap.length;
        final int rowsCh = byInput ? cOut : cIn, cols = byInput ? cIn : cOut;
        final int k = rowsCh * sub;
        Parallel.forRange(panels(cols), 1, (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int base = p * k * NP;
                int j1 = Math.min(NP, cols - p * NP);
                if (byInput) {
                    // rows (o, t), columns c: for each o, w[o, c0.., taps] is one run
                    for (int o = 0; o < cOut; o++) {
                        int rowBase = base + o * sub * NP;
                        for (int j = 0; j < j1; j++) {
                            int wo = (o * cIn + p * NP + j) * taps;
                            for (int t = 0; t < sub; t++) pack[rowBase + t * NP + j] = w[wo + tapMap[t]];
                        }
                        for (int t = 0; t < sub; t++) java.util.Arrays.fill(pack, rowBase + t * NP + j1, rowBase + (t + 1) * NP, 0f);
                    }
                } else {
                    // rows (c, t), columns o: blocks of 64 rows, each o's run w[o, rows of the block]
                    for (int r0 = 0; r0 < k; r0 += 64) {
                        int r1 = Math.min(k, r0 + 64);
                        for (int j = 0; j < j1; j++) {
                            int o = p * NP + j;
                            for (int r = r0; r < r1; r++) {
                                int c = r / sub, t = r - c * sub;
                                pack[base + r * NP + j] = w[(o * cIn + c) * taps + tapMap[t]];
                            }
                        }
                        for (int r = r0; r < r1; r++) java.util.Arrays.fill(pack, base + r * NP + j1, base + (r + 1) * NP, 0f);
                    }
                }
            }
        });
    }

    static int[] identity(int taps) {
        int[] m = new int[taps];
        for (int t = 0; t < taps; t++) m[t] = t;
        return m;
    }

    /** y = conv(x, w) + bias with Wᵀ packed by {@link #packT} ([panel][(c,tap)][NP]). */
    static void forward(ConvGeometry g, float[] x, float[] pack, float[] bias, float[] y) {
        forward(g, x, pack, bias, y, false);
    }

    /** y = conv(x, w) + bias, rectified (max(0, ·)) in the transposing store when relu. */
    static void forward(ConvGeometry g, float[] x, float[] pack, float[] bias, float[] y, boolean relu) {
        final int taps = g.kd() * g.kh() * g.kw();
        final int k = g.cIn() * taps;
        final Slab slab = new Slab(g, VL);
        final int[] boff = slab.tapOffsets(g.cIn());
        final int plane = g.oh() * g.ow();
        final int[] pos = positions(g, slab);
        final int slabStride = slab.size(g.cIn());
        final int planes = g.n() * g.od();
        final int pg = Math.max(1, Math.min(planes, (4 << 20) / slabStride));
        final int nPanels = panels(g.cOut());
        final int threads = Parallel.threads();
        final int oStride = g.od() * plane;
        for (int pl0 = 0; pl0 < planes; pl0 += pg) {
            final int base = pl0, np = Math.min(pg, planes - pl0);
            final float[] s = Scratch.floats(Scratch.SHARED, np * slabStride);
            Parallel.forRange(np, 1, (lo, hi) -> {
                for (int j = lo; j < hi; j++) {
                    int pl = base + j;
                    slab.fill(x, pl / g.od(), pl % g.od(), 0, g.cIn(), s, j * slabStride);
                }
            });
            // Plane ranges per panel so that there are about 2 tasks per thread.
            final int parts = Math.max(1, Math.min(np, (2 * threads + nPanels - 1) / nPanels));
            final int per = (np + parts - 1) / parts;
            Parallel.forRange(nPanels * parts, 1, (lo, hi) -> {
                for (int task = lo; task < hi; task++) {
                    int p = task / parts, j0 = (task % parts) * per, j1 = Math.min(np, j0 + per);
                    if (j0 >= j1) continue;
                    // SLAB: this thread's slab slot is free here (the slabs are shared), TMP may hold the caller's data.
                    float[] c = Scratch.floats(Scratch.SLAB, (j1 - j0) * plane * NP);
                    java.util.Arrays.fill(c, 0, (j1 - j0) * plane * NP, 0f);
                    for (int k0 = 0; k0 < k; k0 += KC) {
                        int k1 = Math.min(k, k0 + KC);
                        for (int j = j0; j < j1; j++) {
                            int sb = j * slabStride, cb = (j - j0) * plane * NP;
                            for (int v = 0; v < plane; v += MR) {
                                int rows = Math.min(MR, plane - v);
                                micro(s, sb + pos[v], sb + pos[v + Math.min(1, rows - 1)], sb + pos[v + Math.min(2, rows - 1)],
                                        sb + pos[v + Math.min(3, rows - 1)], sb + pos[v + Math.min(4, rows - 1)],
                                        sb + pos[v + Math.min(5, rows - 1)], boff, k0, k1, pack, p * k * NP,
                                        c, cb + v * NP, NP, rows);
                            }
                        }
                    }
                    int o0 = p * NP, o1 = Math.min(g.cOut(), o0 + NP);
                    for (int j = j0; j < j1; j++) {
                        int pl = base + j, yb = (pl / g.od()) * g.cOut() * oStride + (pl % g.od()) * plane;
                        int cb = (j - j0) * plane * NP;
                        for (int o = o0; o < o1; o++) {
                            float bo = bias == null ? 0f : bias[o];
                            int yo = yb + o * oStride, co = cb + o - o0;
                            if (relu) for (int v = 0; v < plane; v++) { float t = c[co + v * NP] + bo; y[yo + v] = t > 0 ? t : 0f; }
                            else for (int v = 0; v < plane; v++) y[yo + v] = c[co + v * NP] + bo;
                        }
                    }
                }
            });
        }
    }

    /** Slab position of each output voxel y·wp + x of a plane. */
    private static int[] positions(ConvGeometry g, Slab slab) {
        int[] pos = new int[g.oh() * g.ow()];
        for (int yy = 0; yy < g.oh(); yy++)
            for (int xx = 0; xx < g.ow(); xx++) pos[yy * g.ow() + xx] = yy * slab.wp + xx;
        return pos;
    }

    /** dw (and dbias) of conv(x, w): dWᵀ[(c,tap), o] = Σ_v slab[(c,tap), v] · dyᵀ[v, o], then transposed into dw. */
    static void backwardWeight(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] dbias) {
        final int taps = g.kd() * g.kh() * g.kw();
        final int kTotal = g.cIn() * taps;
        final Slab slab = new Slab(g, VL);
        final int plane = g.oh() * g.ow();
        final int[] pos = positions(g, slab);
        final int nPanels = panels(g.cOut());
        final int ld = nPanels * NP;
        final float[] dwt = Scratch.floats(Scratch.SHARED, kTotal * ld);
        final int threads = Parallel.threads();
        final int pParts = Math.min(nPanels, 2 * threads);
        final int cParts = Math.max(1, Math.min(g.cIn(), (2 * threads + pParts - 1) / pParts));
        final int cPer = (g.cIn() + cParts - 1) / cParts, pPer = (nPanels + pParts - 1) / pParts;
        final int planes = g.n() * g.od();
        final int oStride = g.od() * plane;
        Parallel.forRange(cParts * pParts, 1, (lo, hi) -> {
            for (int task = lo; task < hi; task++) {
                int cLo = (task / pParts) * cPer, cHi = Math.min(g.cIn(), cLo + cPer);
                int p0 = (task % pParts) * pPer, p1 = Math.min(nPanels, p0 + pPer);
                if (cLo >= cHi || p0 >= p1) continue;
                int nc = cHi - cLo, kLocal = nc * taps;
                int[] boff = slab.tapOffsets(nc);
                int slabStride = slab.size(nc);
                int panelsHere = p1 - p0;
                // Planes per group: about 256 voxels per sweep, slabs and dyᵀ within ~512 KiB.
                int perPlane = slabStride + panelsHere * plane * NP;
                int pg = Math.max(1, Math.min(planes, Math.min((255 + plane) / plane, (128 << 10) / perPlane)));
                float[] s = Scratch.floats(Scratch.SLAB, pg * slabStride);
                float[] dyt = Scratch.floats(Scratch.TMP, pg * plane * panelsHere * NP);
                int[] gpos = new int[pg * plane];
                for (int kk = cLo * taps; kk < cHi * taps; kk++)
                    java.util.Arrays.fill(dwt, kk * ld + p0 * NP, kk * ld + p1 * NP, 0f);
                for (int pl0 = 0; pl0 < planes; pl0 += pg) {
                    int np = Math.min(pg, planes - pl0), nv = np * plane;
                    for (int j = 0; j < np; j++) {
                        int pl = pl0 + j, n = pl / g.od(), z = pl % g.od();
                        slab.fill(x, n, z, cLo, cHi, s, j * slabStride);
                        for (int v = 0; v < plane; v++) gpos[j * plane + v] = j * slabStride + pos[v];
                        // dyᵀ panels: dyt[panel][j·plane + v][NP]
                        int yb = n * g.cOut() * oStride + z * plane;
                        for (int p = p0; p < p1; p++) {
                            int pb = (p - p0) * nv * NP;
                            for (int jj = 0; jj < NP; jj++) {
                                int o = p * NP + jj;
                                int at = pb + j * plane * NP + jj;
                                if (o >= g.cOut()) {
                                    for (int v = 0; v < plane; v++) dyt[at + v * NP] = 0f;
                                } else {
                                    int src = yb + o * oStride;
                                    for (int v = 0; v < plane; v++) dyt[at + v * NP] = dy[src + v];
                                }
                            }
                        }
                    }
                    for (int kb = 0; kb < kLocal; kb += MR) {
                        int rows = Math.min(MR, kLocal - kb);
                        for (int p = p0; p < p1; p++) {
                            micro(s, boff[kb], boff[kb + Math.min(1, rows - 1)], boff[kb + Math.min(2, rows - 1)],
                                    boff[kb + Math.min(3, rows - 1)], boff[kb + Math.min(4, rows - 1)],
                                    boff[kb + Math.min(5, rows - 1)], gpos, 0, nv, dyt, (p - p0) * nv * NP,
                                    dwt, (cLo * taps + kb) * ld + p * NP, ld, rows);
                        }
                    }
                }
            }
        });
        // dw[o][kk] = dWᵀ[kk][o]
        // (blocks of 16 rows of dWᵀ, which stay in L1 while the columns are read out)
        Parallel.forRange((kTotal + 15) / 16, 8, (lo, hi) -> {
            for (int kb = lo; kb < hi; kb++) {
                int k0 = kb * 16, k1 = Math.min(kTotal, k0 + 16);
                for (int o = 0; o < g.cOut(); o++)
                    for (int kk = k0; kk < k1; kk++) dw[o * kTotal + kk] = dwt[kk * ld + o];
            }
        });
        if (dbias != null) Reductions.rowSums(dy, g.n(), g.cOut(), oStride, dbias);
    }

    /**
     * C[r][0..NP) += Σ_(t0 ≤ t &lt; t1) s[a_r + idx[t]] · B[bOff + t·NP + 0..NP) for the 6 rows r at c[cOff + r·ldc].
     * Rows ≥ rows repeat the last row (the caller passes the same a_r): they compute and store the same values. The
     * accumulators start from C in memory (callers zero it first), so there is no branch between vector values: an
     * epilogue choosing between add-and-store and store made C2 drop the intrinsics (≈ 10× slower) in some runs.
     * 24 accumulators + 4 B vectors + 1 broadcast = 29 of 32 registers: 115 GFLOP/s on one core against 99 for 4 × 4.
     */
    static void micro(float[] s, int a0, int a1, int a2, int a3, int a4, int a5, int[] idx, int t0, int t1,
                      float[] b, int bOff, float[] c, int cOff, int ldc, int rows) {
        int r0 = cOff, r1 = cOff + Math.min(1, rows - 1) * ldc, r2 = cOff + Math.min(2, rows - 1) * ldc,
                r3 = cOff + Math.min(3, rows - 1) * ldc, r4 = cOff + Math.min(4, rows - 1) * ldc, r5 = cOff + Math.min(5, rows - 1) * ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, r0), c01 = FloatVector.fromArray(S, c, r0 + VL);
        FloatVector c02 = FloatVector.fromArray(S, c, r0 + 2 * VL), c03 = FloatVector.fromArray(S, c, r0 + 3 * VL);
        FloatVector c10 = FloatVector.fromArray(S, c, r1), c11 = FloatVector.fromArray(S, c, r1 + VL);
        FloatVector c12 = FloatVector.fromArray(S, c, r1 + 2 * VL), c13 = FloatVector.fromArray(S, c, r1 + 3 * VL);
        FloatVector c20 = FloatVector.fromArray(S, c, r2), c21 = FloatVector.fromArray(S, c, r2 + VL);
        FloatVector c22 = FloatVector.fromArray(S, c, r2 + 2 * VL), c23 = FloatVector.fromArray(S, c, r2 + 3 * VL);
        FloatVector c30 = FloatVector.fromArray(S, c, r3), c31 = FloatVector.fromArray(S, c, r3 + VL);
        FloatVector c32 = FloatVector.fromArray(S, c, r3 + 2 * VL), c33 = FloatVector.fromArray(S, c, r3 + 3 * VL);
        FloatVector c40 = FloatVector.fromArray(S, c, r4), c41 = FloatVector.fromArray(S, c, r4 + VL);
        FloatVector c42 = FloatVector.fromArray(S, c, r4 + 2 * VL), c43 = FloatVector.fromArray(S, c, r4 + 3 * VL);
        FloatVector c50 = FloatVector.fromArray(S, c, r5), c51 = FloatVector.fromArray(S, c, r5 + VL);
        FloatVector c52 = FloatVector.fromArray(S, c, r5 + 2 * VL), c53 = FloatVector.fromArray(S, c, r5 + 3 * VL);
        int bi = bOff + t0 * NP;
        for (int t = t0; t < t1; t++, bi += NP) {
            int i = idx[t];
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * VL);
            FloatVector b3 = FloatVector.fromArray(S, b, bi + 3 * VL);
            FloatVector w = FloatVector.broadcast(S, s[a0 + i]);
            c00 = w.fma(b0, c00); c01 = w.fma(b1, c01); c02 = w.fma(b2, c02); c03 = w.fma(b3, c03);
            w = FloatVector.broadcast(S, s[a1 + i]);
            c10 = w.fma(b0, c10); c11 = w.fma(b1, c11); c12 = w.fma(b2, c12); c13 = w.fma(b3, c13);
            w = FloatVector.broadcast(S, s[a2 + i]);
            c20 = w.fma(b0, c20); c21 = w.fma(b1, c21); c22 = w.fma(b2, c22); c23 = w.fma(b3, c23);
            w = FloatVector.broadcast(S, s[a3 + i]);
            c30 = w.fma(b0, c30); c31 = w.fma(b1, c31); c32 = w.fma(b2, c32); c33 = w.fma(b3, c33);
            w = FloatVector.broadcast(S, s[a4 + i]);
            c40 = w.fma(b0, c40); c41 = w.fma(b1, c41); c42 = w.fma(b2, c42); c43 = w.fma(b3, c43);
            w = FloatVector.broadcast(S, s[a5 + i]);
            c50 = w.fma(b0, c50); c51 = w.fma(b1, c51); c52 = w.fma(b2, c52); c53 = w.fma(b3, c53);
        }
        c50.intoArray(c, r5); c51.intoArray(c, r5 + VL); c52.intoArray(c, r5 + 2 * VL); c53.intoArray(c, r5 + 3 * VL);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + VL); c42.intoArray(c, r4 + 2 * VL); c43.intoArray(c, r4 + 3 * VL);
        // last row first: with rows < 4 the repeated rows alias it and hold the same values
        c30.intoArray(c, r3); c31.intoArray(c, r3 + VL); c32.intoArray(c, r3 + 2 * VL); c33.intoArray(c, r3 + 3 * VL);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + VL); c22.intoArray(c, r2 + 2 * VL); c23.intoArray(c, r2 + 3 * VL);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + VL); c12.intoArray(c, r1 + 2 * VL); c13.intoArray(c, r1 + 3 * VL);
        c00.intoArray(c, r0); c01.intoArray(c, r0 + VL); c02.intoArray(c, r0 + 2 * VL); c03.intoArray(c, r0 + 3 * VL);
    }
}
