package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;
import dev.deepanat.engine.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Backward-weight of a 3×3×3 stride-1 convolution through the same F(2³, 3³) transforms as {@link Winograd}: the
 * forward tile is y_t = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d_t B)]A (all three axes), so
 * <pre>
 *   dW_kc = Gᵀ [ Σ_t (A dy_kt Aᵀ) ⊙ (Bᵀ x_ct B) ] G,    A = [1 0; 1 1; 1 −1; 0 −1],   Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1]
 * </pre>
 * summed over the tiles t of every batch item: 64 multiply-adds per tile and (k, c) pair instead of 8 · 27.
 *
 * <p>Per chunk of tile rows (a fixed number of them, whatever the thread count): the input transform of x
 * ({@link Winograd#inputTransform}, V[ξ][c][t]) and of dy (Y[ξ][k][t]), in parallel over channels; then, in parallel
 * over the 64 positions ξ, M[ξ][k][c] += Σ_t Y[ξ][k][t] · V[ξ][c][t] with the tiles along the vector lanes (6 × 3
 * accumulators, summed lane by lane in a fixed order at the end of the chunk). Each M[ξ] is owned by one task and
 * summed chunk after chunk, so the result has the same bits with any number of threads, as the direct kernels'.
 * Finally dW = Gᵀ M G per (k, c), and the bias gradient is the plain sum of dy.
 */
final class WinogradWeight {
    static final VectorSpecies<Float> S = Winograd.S;
    static final int VL = Winograd.VL, XI = Winograd.XI, KB = 6, CB = 3;

    private WinogradWeight() {}

    /**
     * Where it pays: {@link Winograd#use}'s shapes with at least 16 input channels. With the first layer's 11 the
     * input transform of x outweighs the GEMM it saves (a training-step profile: 74 → 89 ms at 11 → 48 @ 64³, while
     * the other level-0 to level-2 layers went 0.53–0.81 of the direct kernel's time).
     */
    static boolean use(ConvGeometry g) {
        return Winograd.use(g) && g.cIn() >= 16;
    }

    /**
     * Tiles per chunk: about this many, in whole tile rows, but V and Y of a chunk within CHUNK_BYTES (they are 64 ·
     * (channels in + out) floats per tile: 288 → 96 channels at 1536 tiles would be 150 MB).
     */
    static final int CHUNK_TILES = 1536, CHUNK_BYTES = 32 << 20;

    static void run(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] dbias) {
        final Winograd.Tiles tl = Winograd.Tiles.of(g);
        final int cIn = g.cIn(), cOut = g.cOut();
        final int cp = (cIn + CB - 1) / CB * CB, kp = (cOut + KB - 1) / KB * KB;
        final int tiles = (int) Math.min(CHUNK_TILES, CHUNK_BYTES / (4L * XI * (cp + kp)));
        final int per = Math.max(1, Math.min(tl.rows(), tiles / tl.tw())), tp = tl.columns(per);
        final int L = 2 * tl.twr() + 2;
        final int vs = Winograd.vStride(cp, tp), ys = Winograd.vStride(kp, tp);
        // V and Y of one chunk (the calling thread's scratch, shared by all tasks); rows past cIn and cOut are zero.
        final float[] v = Scratch.floats(Scratch.SLAB, XI * vs), yv = Scratch.floats(Scratch.TMP, XI * ys);
        for (int xi = 0; xi < XI; xi++) {
            Arrays.fill(v, xi * vs + cIn * tp, (xi + 1) * vs, 0f);
            Arrays.fill(yv, xi * ys + cOut * tp, (xi + 1) * ys, 0f);
        }
        // M, summed over the chunks: the calling thread's pack scratch (backward-weight packs no weights).
        final float[] m = Scratch.floats(Scratch.PACK, XI * kp * cp);
        Arrays.fill(m, 0, XI * kp * cp, 0f);
        for (int r0 = 0; r0 < tl.rows(); r0 += per) {
            final int first = r0, nr = Math.min(per, tl.rows() - r0), used = nr * tl.tw(), cols = tl.columns(nr);
            // Transforms, in parallel over blocks of channels (x's first, then dy's).
            int cBlocks = (cIn + 7) / 8, kBlocks = (cOut + 7) / 8;
            Parallel.forRange(cBlocks + kBlocks, 1, (lo, hi) -> {
                float[] st = Scratch.floats(Scratch.SHARED, 17 * L + 2 * XI * VL);
                for (int b = lo; b < hi; b++) {
                    Arrays.fill(st, 0, 17 * L, 0f);
                    if (b < cBlocks) {
                        int a = b * 8, z = Math.min(cIn, a + 8);
                        Winograd.inputTransform(g, tl, x, null, cIn, a, z, first, nr, tp, st, L, v, vs);
                        clearTail(v, vs, a, z, tp, used, cols);
                    } else {
                        int a = (b - cBlocks) * 8, z = Math.min(cOut, a + 8);
                        dyTransform(g, tl, dy, a, z, first, nr, tp, st, L, yv, ys);
                        clearTail(yv, ys, a, z, tp, used, cols);
                    }
                }
            });
            // M[ξ] += Y[ξ] · V[ξ]ᵀ over this chunk's columns, one task per ξ.
            Parallel.forRange(XI, 1, (lo, hi) -> {
                float[] lanes = new float[KB * CB * VL];
                for (int xi = lo; xi < hi; xi++)
                    for (int k0 = 0; k0 < kp; k0 += KB)
                        for (int cc = 0; cc < cp; cc += CB)
                            block(yv, xi * ys + k0 * tp, v, xi * vs + cc * tp, tp, cols, lanes, m, (xi * kp + k0) * cp + cc, cp);
            });
        }
        // dW[k][c] = Gᵀ M[·][k][c] G along the three axes.
        Parallel.forRange(cOut, 1, (lo, hi) -> {
            float[] a = new float[XI], t1 = new float[48], t2 = new float[36], o = new float[27];
            for (int k = lo; k < hi; k++)
                for (int c = 0; c < cIn; c++) {
                    for (int xi = 0; xi < XI; xi++) a[xi] = m[(xi * kp + k) * cp + c];
                    // along z: a[ξz][ξy][ξx] → t1[i][ξy][ξx]; then y, then x
                    for (int yx = 0; yx < 16; yx++) gt(a, yx, 16, t1, yx, 16);
                    for (int i = 0; i < 3; i++)
                        for (int xx = 0; xx < 4; xx++) gt(t1, i * 16 + xx, 4, t2, i * 12 + xx, 4);
                    for (int ij = 0; ij < 9; ij++) gt(t2, ij * 4, 1, o, ij * 3, 1);
                    System.arraycopy(o, 0, dw, (k * cIn + c) * 27, 27);
                }
        });
        if (dbias != null) {
            int vox = g.od() * g.oh() * g.ow();
            Parallel.forRange(cOut, 1, (lo, hi) -> {
                for (int k = lo; k < hi; k++) {
                    float s = 0;
                    for (int n = 0; n < g.n(); n++)
                        for (int i = 0, at = (n * cOut + k) * vox; i < vox; i++) s += dy[at + i];
                    dbias[k] = s;
                }
            });
        }
    }

    /** out[0..2 step os] = Gᵀ · in[0..3 step is]: a + (b + c)/2, (b − c)/2, (b + c)/2 + d. */
    private static void gt(float[] in, int i0, int is, float[] out, int o0, int os) {
        float a = in[i0], b = in[i0 + is], c = in[i0 + 2 * is], d = in[i0 + 3 * is];
        out[o0] = a + 0.5f * (b + c);
        out[o0 + os] = 0.5f * (b - c);
        out[o0 + 2 * os] = 0.5f * (b + c) + d;
    }

    /** Zeroes columns [used, cols) of the rows of channels [a, z) at every ξ: no tile there, so nothing to add. */
    private static void clearTail(float[] buf, int xiStride, int a, int z, int tp, int used, int cols) {
        for (int xi = 0; xi < XI; xi++)
            for (int c = a; c < z; c++) {
                int row = xi * xiStride + c * tp;
                Arrays.fill(buf, row + used, row + cols, 0f);
            }
    }

    /**
     * Y[ξ][k][t] = (A dy_kt Aᵀ) for the channels [a, z) of dy and the tiles of rows [r0, r0 + nr): each tile's 2 × 2 × 2
     * outputs (zero past the output's end), staged with even and odd columns apart as {@link Winograd} stages x.
     */
    static void dyTransform(ConvGeometry g, Winograd.Tiles tl, float[] dy, int a, int z, int r0, int nr, int tp, float[] st,
                            int L, float[] yv, int xiStride) {
        final int od = g.od(), oh = g.oh(), ow = g.ow(), cOut = g.cOut(), half = L / 2, t1 = 17 * L;
        final int[] rowAt = new int[4];
        for (int k = a; k < z; k++)
            for (int rr = 0; rr < nr; rr++) {
                int r = r0 + rr, n = r / (tl.td() * tl.th()), tz = r / tl.th() % tl.td(), ty = r % tl.th();
                for (int dz = 0; dz < 2; dz++)
                    for (int dyy = 0; dyy < 2; dyy++) {
                        int oz = 2 * tz + dz, oy = 2 * ty + dyy, row = (dz * 2 + dyy) * L;
                        if (oz >= od || oy >= oh) {
                            rowAt[dz * 2 + dyy] = 16 * L;
                        } else {
                            rowAt[dz * 2 + dyy] = row;
                            Winograd.stageRow(dy, (((n * cOut + k) * od + oz) * oh + oy) * ow, ow, st, row, half, 0);
                        }
                    }
                int tBase = k * tp + rr * tl.tw();
                for (int x0 = 0; x0 < tl.tw(); x0 += VL) {
                    for (int q = 0; q < 4; q++) dyX(st, rowAt[q] + x0, half, t1 + q * 4 * VL);
                    for (int xx = 0; xx < 4; xx++) dyYZ(st, t1 + xx * VL, yv, xx * xiStride + tBase + x0, xiStride);
                }
            }
    }

    /** A along x for one staged dy row: with e, o its even and odd outputs, out = e, e + o, e − o, −o. */
    private static void dyX(float[] st, int e, int half, int o) {
        FloatVector ev = FloatVector.fromArray(S, st, e), od = FloatVector.fromArray(S, st, e + half);
        ev.intoArray(st, o);
        ev.add(od).intoArray(st, o + VL);
        ev.sub(od).intoArray(st, o + 2 * VL);
        od.neg().intoArray(st, o + 3 * VL);
    }

    /**
     * A along y, then z, for one ξx: the x-transformed rows (dz, dy) at st[p + (2dz + dy)·4·VL] → Y at
     * ξ = 16ξz + 4ξy + ξx (o + (16ξz + 4ξy)·xiStride).
     */
    private static void dyYZ(float[] st, int p, float[] yv, int o, int xiStride) {
        final int R = 4 * VL, Z = 16 * xiStride, Y = 4 * xiStride;
        FloatVector a00 = FloatVector.fromArray(S, st, p), a01 = FloatVector.fromArray(S, st, p + R);
        FloatVector a10 = FloatVector.fromArray(S, st, p + 2 * R), a11 = FloatVector.fromArray(S, st, p + 3 * R);
        // along y, per dz: (a0, a0 + a1, a0 − a1, −a1); then along z for each ξy: (u, u + v, u − v, −v)
        FloatVector u = a00, v = a10;
        u.intoArray(yv, o); u.add(v).intoArray(yv, o + Z); u.sub(v).intoArray(yv, o + 2 * Z); v.neg().intoArray(yv, o + 3 * Z);
        u = a00.add(a01); v = a10.add(a11);
        u.intoArray(yv, o + Y); u.add(v).intoArray(yv, o + Y + Z); u.sub(v).intoArray(yv, o + Y + 2 * Z); v.neg().intoArray(yv, o + Y + 3 * Z);
        u = a00.sub(a01); v = a10.sub(a11);
        u.intoArray(yv, o + 2 * Y); u.add(v).intoArray(yv, o + 2 * Y + Z); u.sub(v).intoArray(yv, o + 2 * Y + 2 * Z); v.neg().intoArray(yv, o + 2 * Y + 3 * Z);
        u = a01.neg(); v = a11.neg();
        u.intoArray(yv, o + 3 * Y); u.add(v).intoArray(yv, o + 3 * Y + Z); u.sub(v).intoArray(yv, o + 3 * Y + 2 * Z); v.neg().intoArray(yv, o + 3 * Y + 3 * Z);
    }

    /**
     * m[mo + r·ms + q] += Σ_t Y[yo + r·tp + t] · V[vo + q·tp + t] for r &lt; 6, q &lt; 3, t &lt; cols: 18 accumulators
     * along t, their lanes summed in order at the end (lanes: a scratch of 18 vectors).
     */
    private static void block(float[] y, int yo, float[] v, int vo, int tp, int cols, float[] lanes, float[] m, int mo, int ms) {
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s10 = s00, s11 = s00, s12 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s30 = s00, s31 = s00, s32 = s00;
        FloatVector s40 = s00, s41 = s00, s42 = s00, s50 = s00, s51 = s00, s52 = s00;
        for (int t = 0; t < cols; t += VL) {
            FloatVector b0 = FloatVector.fromArray(S, v, vo + t);
            FloatVector b1 = FloatVector.fromArray(S, v, vo + tp + t);
            FloatVector b2 = FloatVector.fromArray(S, v, vo + 2 * tp + t);
            FloatVector w = FloatVector.fromArray(S, y, yo + t);
            s00 = w.fma(b0, s00); s01 = w.fma(b1, s01); s02 = w.fma(b2, s02);
            w = FloatVector.fromArray(S, y, yo + tp + t);
            s10 = w.fma(b0, s10); s11 = w.fma(b1, s11); s12 = w.fma(b2, s12);
            w = FloatVector.fromArray(S, y, yo + 2 * tp + t);
            s20 = w.fma(b0, s20); s21 = w.fma(b1, s21); s22 = w.fma(b2, s22);
            w = FloatVector.fromArray(S, y, yo + 3 * tp + t);
            s30 = w.fma(b0, s30); s31 = w.fma(b1, s31); s32 = w.fma(b2, s32);
            w = FloatVector.fromArray(S, y, yo + 4 * tp + t);
            s40 = w.fma(b0, s40); s41 = w.fma(b1, s41); s42 = w.fma(b2, s42);
            w = FloatVector.fromArray(S, y, yo + 5 * tp + t);
            s50 = w.fma(b0, s50); s51 = w.fma(b1, s51); s52 = w.fma(b2, s52);
        }
        s00.intoArray(lanes, 0); s01.intoArray(lanes, VL); s02.intoArray(lanes, 2 * VL);
        s10.intoArray(lanes, 3 * VL); s11.intoArray(lanes, 4 * VL); s12.intoArray(lanes, 5 * VL);
        s20.intoArray(lanes, 6 * VL); s21.intoArray(lanes, 7 * VL); s22.intoArray(lanes, 8 * VL);
        s30.intoArray(lanes, 9 * VL); s31.intoArray(lanes, 10 * VL); s32.intoArray(lanes, 11 * VL);
        s40.intoArray(lanes, 12 * VL); s41.intoArray(lanes, 13 * VL); s42.intoArray(lanes, 14 * VL);
        s50.intoArray(lanes, 15 * VL); s51.intoArray(lanes, 16 * VL); s52.intoArray(lanes, 17 * VL);
        for (int r = 0; r < KB; r++)
            for (int q = 0; q < CB; q++) {
                float s = 0;
                int at = (r * CB + q) * VL;
                for (int l = 0; l < VL; l++) s += lanes[at + l];
                m[mo + r * ms + q] += s;
            }
    }
}
