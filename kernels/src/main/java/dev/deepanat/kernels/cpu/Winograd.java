package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;
import dev.deepanat.engine.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd F(2×2×2, 3×3×3) for 3×3×3 stride-1 convolutions: each 2×2×2 tile of the output comes from a 4×4×4 tile of
 * the input through Y = Aᵀ [ Σ_c (G g_kc Gᵀ) ⊙ (Bᵀ d_c B) ] A (applied along all three axes), i.e. 64 multiplies per
 * tile and channel pair instead of 8 × 27 = 216: 3.375× fewer. With 1-D matrices
 * <pre>
 *   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]    G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]    Aᵀ = [1 1 1 0; 0 1 −1 −1]
 * </pre>
 * (interpolation points 0, ±1, ∞: the only constants are ±1 and ½, so the transforms add no rounding beyond their
 * sums; the error against direct convolution is measured in docs/performance.md).
 *
 * <p>Per chunk of tile rows (one thread each): (1) the input transform stages the input rows with their even and odd
 * columns apart and writes V[ξ][c][t] for the 64 positions ξ, vectorized over the tiles t of a row;
 * (2) 64 GEMMs M[k][ξ][t] = Σ_c U[ξ][k][c] · V[ξ][c][t], on the same 6 × 3-vector register block as
 * {@link ConvForward}; (3) the output transform adds the bias, applies the ReLU when fused, interleaves even and
 * odd columns back and stores y. U, the transformed weights, is computed once per call. Tiles are dense along t, a
 * tile row's last vector may run into the next row: those lanes are recomputed correctly by the next row (rows are
 * transformed in order) or fall in the padding past the chunk.
 *
 * <p>Infinities: the transforms subtract neighbouring inputs, so an input ±Inf makes NaN where the direct sum gives
 * ±Inf (and the fused ReLU turns that NaN into 0, as UnaryOp.RELU does). Finite inputs whose sums stay finite are
 * unaffected; a diverging network shows NaN losses either way.
 *
 * <p>Used by the cpu backend when {@link #enabled} (the switch) and {@link #use} (the shape) agree; the direct
 * kernels stay the definition and handle everything else.
 */
final class Winograd {
    static final VectorSpecies<Float> S = ConvForward.S;
    static final int VL = S.length(), MR = ConvForward.MR, NR = ConvForward.NR;
    /** Transform positions per tile (4³) and their 1-D count. */
    static final int XI = 64, A = 4;

    /*
     * Even and odd lanes of two vectors a, b (a's in the low half, b's in the high half), and the reverse, interleaving
     * e, o into e0 o0 e1 o1 …: one-vector shuffles and a blend, which C2 compiles to two permutes and a masked move
     * (the two-vector rearrange fell back to allocating Java code inside the large loops here). VL ≤ 16 floats.
     */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i % VL);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> (2 * i + 1) % VL);
    private static final VectorShuffle<Float> LOW = VectorShuffle.fromOp(S, i -> i / 2);
    private static final VectorShuffle<Float> HIGH = VectorShuffle.fromOp(S, i -> VL / 2 + i / 2);
    private static final VectorMask<Float> HIGH_HALF = VectorMask.fromLong(S, ((1L << VL) - 1) & -(1L << (VL / 2)));
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(S, 0xAAAA_AAAA_AAAA_AAAAL & ((1L << VL) - 1));

    private Winograd() {}

    /**
     * The switch: {@code -Ddeepanat.cpu.winograd=true|false}, else {@code DEEPANAT_CPU_WINOGRAD=1|0}, else
     * {@code fallback}.
     */
    static boolean enabled(String property, String env, boolean fallback) {
        String v = property != null && !property.isBlank() ? property : env;
        if (v == null || v.isBlank()) return fallback;
        switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "on", "yes" -> { return true; }
            case "false", "0", "off", "no" -> { return false; }
            default -> {
                System.err.println("deepanat: Winograd switch '" + v.trim() + "' not understood (true/false, 1/0, on/off);"
                        + " using " + (fallback ? "on" : "off"));
                return fallback;
            }
        }
    }

    /** 3×3×3 kernels, stride 1, a non-negative padding: what the transforms compute. */
    static boolean supports(ConvGeometry g) {
        return g.kd() == 3 && g.kh() == 3 && g.kw() == 3 && g.sd() == 1 && g.sh() == 1 && g.sw() == 1
                && g.pd() >= 0 && g.ph() >= 0 && g.pw() >= 0 && g.od() >= 1 && g.oh() >= 1 && g.ow() >= 1;
    }

    /**
     * Where it pays: planes wider than 8² (smaller ones go to {@link ConvSmall}, whose weights dominate) and at least
     * MR output and 8 input channels (the 48 → 1 output conv and its backward-data keep the direct kernels: a GEMM of
     * one row, or of a reduction over one channel, would not amortize the transforms).
     */
    static boolean use(ConvGeometry g) {
        return supports(g) && g.oh() * g.ow() > 64 && g.cOut() >= MR && g.cIn() >= 8;
    }

    static int packedSize(int cOut, int cIn) {
        return XI * blocks(cOut) * MR * cIn;
    }

    private static int blocks(int cOut) {
        return (cOut + MR - 1) / MR;
    }

    /**
     * U = G g Gᵀ per (output channel k, input channel c), packed for the GEMM as [ξ][k block][c][MR] (zero rows past
     * cOut). The 3×3×3 kernel g_kc is w[k·kStride + c·cStride + tap], tap = (i·3 + j)·3 + l, or at 26 − tap when flip
     * (backward-data: the transposed, flipped kernel).
     */
    static void packWeights(float[] w, int cOut, int cIn, int kStride, int cStride, boolean flip, float[] pack) {
        int kb = blocks(cOut);
        Parallel.forRange(kb, 1, (lo, hi) -> {
            float[] g = new float[27], t1 = new float[36], t2 = new float[48], u = new float[XI];
            for (int b = lo; b < hi; b++)
                for (int r = 0; r < MR; r++) {
                    int k = b * MR + r;
                    for (int c = 0; c < cIn; c++) {
                        if (k < cOut) {
                            int base = k * kStride + c * cStride;
                            for (int tap = 0; tap < 27; tap++) g[tap] = w[base + (flip ? 26 - tap : tap)];
                            // Along x: g[i][j][·] (3) → t1[i][j][·] (4); then y, then z.
                            for (int ij = 0; ij < 9; ij++) g3(g, ij * 3, 1, t1, ij * 4, 1);
                            for (int i = 0; i < 3; i++)
                                for (int x = 0; x < A; x++) g3(t1, i * 12 + x, 4, t2, i * 16 + x, 4);
                            for (int yx = 0; yx < 16; yx++) g3(t2, yx, 16, u, yx, 16);
                        } else {
                            java.util.Arrays.fill(u, 0f);
                        }
                        for (int xi = 0; xi < XI; xi++) pack[((xi * kb + b) * cIn + c) * MR + r] = u[xi];
                    }
                }
        });
    }

    /** out[0..3 step os] = G · in[0..2 step is]. */
    private static void g3(float[] in, int i0, int is, float[] out, int o0, int os) {
        float a = in[i0], b = in[i0 + is], c = in[i0 + 2 * is];
        out[o0] = a;
        out[o0 + os] = 0.5f * (a + b + c);
        out[o0 + 2 * os] = 0.5f * (a - b + c);
        out[o0 + 3 * os] = c;
    }

    /** Tiles and their rows: tw tiles per row (twr = tw rounded up to whole vectors), rows = n · ⌈od/2⌉ · ⌈oh/2⌉. */
    record Tiles(int td, int th, int tw, int twr, int rows) {
        static Tiles of(ConvGeometry g) {
            int td = (g.od() + 1) / 2, th = (g.oh() + 1) / 2, tw = (g.ow() + 1) / 2;
            return new Tiles(td, th, tw, (tw + VL - 1) / VL * VL, g.n() * td * th);
        }

        /** GEMM columns of a chunk of nr rows: every vector of the last row in bounds, whole register blocks. */
        int columns(int nr) {
            int need = (nr - 1) * tw + twr;
            return (need + NR * VL - 1) / (NR * VL) * (NR * VL);
        }

        /**
         * Rows per chunk: V and M of a chunk within about 4 MiB per thread (at least one register block), and among
         * nearby counts the one that wastes the fewest GEMM columns (e.g. 3 rows of 80 tiles fill 5 blocks of 48).
         */
        int rowsPerChunk(int cIn, int cOutPadded) {
            int tiles = Math.max(NR * VL, Math.min(4 * NR * VL, (1 << 20) / (XI * (cIn + cOutPadded))));
            int base = Math.max(1, Math.min(rows, tiles / tw)), best = base;
            double bestCost = Double.MAX_VALUE;
            for (int nr = Math.max(1, base / 2); nr <= Math.min(rows, 2 * base); nr++) {
                double cost = (double) columns(nr) / (nr * tw);
                if (cost < bestCost - 1e-9) {
                    bestCost = cost;
                    best = nr;
                }
            }
            return best;
        }
    }

    /*
     * V is [ξ][c][t] and M [k][ξ][t], with one cache line of padding after each ξ block of V and each k block of M:
     * without it the 64 stores of one tile vector's input transform (ξ apart) and the 6 rows a GEMM block stores (k
     * apart) fell at multiples of 4 KiB and shared one or two L1 sets (C · tp · 4 bytes = 18 KiB for 48 channels and
     * 96 tiles).
     */
    static final int PAD = 16;

    static int vStride(int cIn, int tp) {
        return cIn * tp + PAD;
    }

    static int vSize(int cIn, int tp) {
        return XI * vStride(cIn, tp);
    }

    static int mStride(int tp) {
        return XI * tp + PAD;
    }

    static int mSize(int kp, int tp) {
        return kp * mStride(tp);
    }

    /** y = conv(x, w) + bias (rectified when relu), w already transformed by {@link #packWeights}. */
    static void run(ConvGeometry g, float[] x, float[] pack, float[] bias, float[] y, boolean relu) {
        run(g, x, null, g.cIn(), pack, bias, y, relu);
    }

    /**
     * The same over the input concat(x, upsample ×2 (low)): channels [0, cSkip) are x's, the rest low's (half of each
     * size, read with each value repeated twice along every axis); with low null, x has all g.cIn() channels. With low,
     * g must be a 'same' geometry (padding 1, output = input) of even sizes, as {@code CpuBackend.conv3dSkipUpInPlace}
     * checks: the staging of low's rows relies on it.
     */
    static void run(ConvGeometry g, float[] x, float[] low, int cSkip, float[] pack, float[] bias, float[] y, boolean relu) {
        final Tiles tl = Tiles.of(g);
        final int kp = blocks(g.cOut()) * MR;
        final int per = tl.rowsPerChunk(g.cIn(), kp), tp = tl.columns(per);
        final int chunks = (tl.rows() + per - 1) / per;
        final int L = 2 * tl.twr() + 2;
        Parallel.forRange(chunks, 1, (lo, hi) -> {
            float[] v = Scratch.floats(Scratch.SLAB, vSize(g.cIn(), tp));
            float[] m = Scratch.floats(Scratch.TMP, mSize(kp, tp));
            float[] st = Scratch.floats(Scratch.SHARED, 17 * L + 2 * XI * VL);
            java.util.Arrays.fill(st, 0, 17 * L, 0f);
            for (int ch = lo; ch < hi; ch++) {
                int r0 = ch * per, nr = Math.min(per, tl.rows() - r0);
                inputTransform(g, tl, x, low, cSkip, r0, nr, tp, st, L, v);
                gemm(g.cIn(), kp, tl.columns(nr), tp, pack, v, m);
                outputTransform(g, tl, m, r0, nr, tp, bias, relu, st, 17 * L, y);
            }
        });
    }

    /**
     * V[ξ][c][t] for the tiles t of rows [r0, r0 + nr), t = (r − r0)·tw + tile. st: 16 staged input rows of L floats
     * and a row of zeros (zeroed once by the caller; staging writes only the input's own columns, so the padding
     * columns stay zero), then a temporary of 64 vectors.
     */
    static void inputTransform(ConvGeometry g, Tiles tl, float[] x, float[] low, int cSkip, int r0, int nr, int tp,
                               float[] st, int L, float[] v) {
        inputTransform(g, tl, x, low, cSkip, 0, g.cIn(), r0, nr, tp, st, L, v, vStride(g.cIn(), tp));
    }

    /** The same for the input channels [cLo, cHi) only, into a V whose ξ blocks are xiStride apart. */
    static void inputTransform(ConvGeometry g, Tiles tl, float[] x, float[] low, int cSkip, int cLo, int cHi, int r0,
                               int nr, int tp, float[] st, int L, float[] v, int xiStride) {
        final int d = g.d(), h = g.h(), w = g.w(), cIn = g.cIn();
        // The input columns a tile reads: all of them unless the output stops short of the input's end.
        final int staged = Math.max(0, Math.min(w, L - g.pw()));
        final int cLow = cIn - cSkip;
        final int t1 = 17 * L;
        final int[] rowAt = new int[16];
        for (int c = cLo; c < cHi; c++) {
            for (int rr = 0; rr < nr; rr++) {
                int r = r0 + rr, n = r / (tl.td() * tl.th()), tz = r / tl.th() % tl.td(), ty = r % tl.th();
                // Stage the 4 × 4 input rows of this tile row (x shifted by pw, even and odd columns apart); rows
                // outside the input read the zero row.
                for (int i = 0; i < A; i++) {
                    int z = 2 * tz - g.pd() + i;
                    for (int j = 0; j < A; j++) {
                        int yy = 2 * ty - g.ph() + j, row = (i * A + j) * L;
                        if (z < 0 || z >= d || yy < 0 || yy >= h) {
                            rowAt[i * A + j] = 16 * L;
                        } else {
                            rowAt[i * A + j] = row;
                            if (c < cSkip) stageRow(x, (((n * cSkip + c) * d + z) * h + yy) * w, staged, st, row, L / 2, g.pw());
                            else stageRowUp(low, (((n * cLow + c - cSkip) * (d / 2) + z / 2) * (h / 2) + yy / 2) * (w / 2),
                                    w / 2, st, row, L / 2, g.pw());
                        }
                    }
                }
                int tBase = c * tp + rr * tl.tw();
                for (int x0 = 0; x0 < tl.tw(); x0 += VL) {
                    for (int ij = 0; ij < 16; ij++) inputX(st, rowAt[ij] + x0, L / 2, t1 + ij * A * VL);
                    for (int xx = 0; xx < A; xx++) inputYZ(st, t1 + xx * VL, v, xx * xiStride + tBase + x0, xiStride);
                }
            }
        }
    }

    /*
     * The transforms' steps are methods that take and return no vectors, only arrays and offsets: a FloatVector passed
     * to or returned from a method C2 does not inline becomes an object, and the large loops here reached C2's inlining
     * limits (a switch over vector values, or small helpers taking vectors, ran 2-3 times slower and allocated).
     *
     * A staged row is the padded input row r (r[x'] = in[x' − pw], zero outside) with its even and odd columns apart:
     * E[j] = r[2j] at st[row + j], O[j] = r[2j + 1] at st[row + half + j]. Tile t reads r[2t .. 2t + 3] = E[t], O[t],
     * E[t + 1], O[t + 1]: four plain loads of consecutive tiles' values.
     */

    /** Bᵀ along x for the tiles of one staged row: out[o + k·VL] = d0 − d2, d1 + d2, d2 − d1, d1 − d3. */
    static void inputX(float[] st, int e, int half, int o) {
        FloatVector d0 = FloatVector.fromArray(S, st, e), d1 = FloatVector.fromArray(S, st, e + half);
        FloatVector d2 = FloatVector.fromArray(S, st, e + 1), d3 = FloatVector.fromArray(S, st, e + half + 1);
        d0.sub(d2).intoArray(st, o);
        d1.add(d2).intoArray(st, o + VL);
        d2.sub(d1).intoArray(st, o + 2 * VL);
        d1.sub(d3).intoArray(st, o + 3 * VL);
    }

    /**
     * Bᵀ along y, then z, for one ξx, in registers: X[i][j] = st[p + (16i + 4j)·VL] → v[o + (16ξz + 4ξy)·xiStride],
     * i.e. V at ξ = 16ξz + 4ξy + ξx.
     */
    static void inputYZ(float[] st, int p, float[] v, int o, int xiStride) {
        final int J = 4 * VL, I = 16 * VL, Z = 16 * xiStride, Y = 4 * xiStride;
        FloatVector a00 = FloatVector.fromArray(S, st, p), a01 = FloatVector.fromArray(S, st, p + J);
        FloatVector a02 = FloatVector.fromArray(S, st, p + 2 * J), a03 = FloatVector.fromArray(S, st, p + 3 * J);
        FloatVector a10 = FloatVector.fromArray(S, st, p + I), a11 = FloatVector.fromArray(S, st, p + I + J);
        FloatVector a12 = FloatVector.fromArray(S, st, p + I + 2 * J), a13 = FloatVector.fromArray(S, st, p + I + 3 * J);
        FloatVector a20 = FloatVector.fromArray(S, st, p + 2 * I), a21 = FloatVector.fromArray(S, st, p + 2 * I + J);
        FloatVector a22 = FloatVector.fromArray(S, st, p + 2 * I + 2 * J), a23 = FloatVector.fromArray(S, st, p + 2 * I + 3 * J);
        FloatVector a30 = FloatVector.fromArray(S, st, p + 3 * I), a31 = FloatVector.fromArray(S, st, p + 3 * I + J);
        FloatVector a32 = FloatVector.fromArray(S, st, p + 3 * I + 2 * J), a33 = FloatVector.fromArray(S, st, p + 3 * I + 3 * J);
        // Each row ξy of Bᵀ along y (a_i0 − a_i2, a_i1 + a_i2, a_i2 − a_i1, a_i1 − a_i3), then Bᵀ along z over i.
        FloatVector b0 = a00.sub(a02), b1 = a10.sub(a12), b2 = a20.sub(a22), b3 = a30.sub(a32);
        b0.sub(b2).intoArray(v, o);
        b1.add(b2).intoArray(v, o + Z);
        b2.sub(b1).intoArray(v, o + 2 * Z);
        b1.sub(b3).intoArray(v, o + 3 * Z);
        b0 = a01.add(a02); b1 = a11.add(a12); b2 = a21.add(a22); b3 = a31.add(a32);
        b0.sub(b2).intoArray(v, o + Y);
        b1.add(b2).intoArray(v, o + Y + Z);
        b2.sub(b1).intoArray(v, o + Y + 2 * Z);
        b1.sub(b3).intoArray(v, o + Y + 3 * Z);
        b0 = a02.sub(a01); b1 = a12.sub(a11); b2 = a22.sub(a21); b3 = a32.sub(a31);
        b0.sub(b2).intoArray(v, o + 2 * Y);
        b1.add(b2).intoArray(v, o + 2 * Y + Z);
        b2.sub(b1).intoArray(v, o + 2 * Y + 2 * Z);
        b1.sub(b3).intoArray(v, o + 2 * Y + 3 * Z);
        b0 = a01.sub(a03); b1 = a11.sub(a13); b2 = a21.sub(a23); b3 = a31.sub(a33);
        b0.sub(b2).intoArray(v, o + 3 * Y);
        b1.add(b2).intoArray(v, o + 3 * Y + Z);
        b2.sub(b1).intoArray(v, o + 3 * Y + 2 * Z);
        b1.sub(b3).intoArray(v, o + 3 * Y + 3 * Z);
    }

    /**
     * Stages input row src[s .. s + w) at st[row ..] (E, then O from row + half) as r[x'] = in[x' − pw]: 2·VL inputs
     * at a time, taken apart into their even and odd elements, which land in E and O (or O and E for an odd pw).
     * Only the columns of the input are written: the padding columns stay as the caller zeroed them.
     */
    static void stageRow(float[] src, int s, int w, float[] st, int row, int half, int pw) {
        int odd = pw & 1, evenAt = row + odd * half + (pw - odd) / 2, oddAt = row + (1 - odd) * half + (pw + odd) / 2;
        for (int q = 0; q < w; q += 2 * VL) {
            int n = Math.min(2 * VL, w - q);
            FloatVector a, b;
            if (n == 2 * VL) {
                a = FloatVector.fromArray(S, src, s + q);
                b = FloatVector.fromArray(S, src, s + q + VL);
            } else {
                a = FloatVector.fromArray(S, src, s + q, S.indexInRange(0, n));
                b = FloatVector.fromArray(S, src, s + q + VL, S.indexInRange(VL, n));
            }
            FloatVector ev = a.rearrange(EVEN).blend(b.rearrange(EVEN), HIGH_HALF);
            FloatVector od = a.rearrange(ODD).blend(b.rearrange(ODD), HIGH_HALF);
            if (n == 2 * VL) {
                ev.intoArray(st, evenAt + q / 2);
                od.intoArray(st, oddAt + q / 2);
            } else {
                ev.intoArray(st, evenAt + q / 2, S.indexInRange(0, (n + 1) / 2));
                od.intoArray(st, oddAt + q / 2, S.indexInRange(0, n / 2));
            }
        }
    }

    /**
     * Stages a row of the coarser level, upsampled ×2 along x (r[x'] = low[(x' − pw) / 2]): its even and its odd
     * elements are both the low row, so E and O are two plain copies at their offsets.
     */
    static void stageRowUp(float[] src, int s, int wl, float[] st, int row, int half, int pw) {
        int odd = pw & 1;
        copyRow(src, s, st, row + odd * half + (pw - odd) / 2, wl);
        copyRow(src, s, st, row + (1 - odd) * half + (pw + odd) / 2, wl);
    }

    /**
     * dst[d..d + len) = src[s..s + len) with vector moves: unlike System.arraycopy, a loop the CPU runs ahead on, so
     * the rows of a tile row (in different cache lines of L3 or memory) load in parallel, not one after another.
     */
    static void copyRow(float[] src, int s, float[] dst, int d, int len) {
        int q = 0;
        for (; q + VL <= len; q += VL) FloatVector.fromArray(S, src, s + q).intoArray(dst, d + q);
        if (q < len) {
            VectorMask<Float> m = S.indexInRange(q, len);
            FloatVector.fromArray(S, src, s + q, m).intoArray(dst, d + q, m);
        }
    }

    /** M[k][ξ][t] = Σ_c U[ξ][k][c] · V[ξ][c][t] for all k < kp, t < cols (rows of V and M are tp apart). */
    static void gemm(int cIn, int kp, int cols, int tp, float[] pack, float[] v, float[] m) {
        int kb = kp / MR, step = NR * VL;
        for (int xi = 0; xi < XI; xi++) {
            int vOff = xi * vStride(cIn, tp);
            for (int b = 0; b < kb; b++) {
                int aOff = (xi * kb + b) * cIn * MR, mOff = b * MR * mStride(tp) + xi * tp;
                for (int t = 0; t < cols; t += step) micro6x3(pack, aOff, cIn, v, vOff + t, tp, m, mOff + t, mStride(tp));
            }
        }
    }

    /**
     * C[6 × 3 vectors] = Σ_c A[c][0..5] · B[c][0..3 vectors], stored at m[mOff + r·ms + q·VL]. The loop is
     * {@link ConvForward#micro6x3}'s (and FmaPeakBench's) on purpose, one register block for all conv kernels; here B's
     * rows are bs apart instead of at tap offsets, and the sums are stored, not accumulated or rectified.
     */
    private static void micro6x3(float[] a, int aOff, int cIn, float[] b, int bOff, int bs, float[] m, int mOff, int ms) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
        int ai = aOff, bi = bOff;
        for (int c = 0; c < cIn; c++, ai += MR, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * VL);
            FloatVector w = FloatVector.broadcast(S, a[ai]);
            c00 = w.fma(b0, c00); c01 = w.fma(b1, c01); c02 = w.fma(b2, c02);
            w = FloatVector.broadcast(S, a[ai + 1]);
            c10 = w.fma(b0, c10); c11 = w.fma(b1, c11); c12 = w.fma(b2, c12);
            w = FloatVector.broadcast(S, a[ai + 2]);
            c20 = w.fma(b0, c20); c21 = w.fma(b1, c21); c22 = w.fma(b2, c22);
            w = FloatVector.broadcast(S, a[ai + 3]);
            c30 = w.fma(b0, c30); c31 = w.fma(b1, c31); c32 = w.fma(b2, c32);
            w = FloatVector.broadcast(S, a[ai + 4]);
            c40 = w.fma(b0, c40); c41 = w.fma(b1, c41); c42 = w.fma(b2, c42);
            w = FloatVector.broadcast(S, a[ai + 5]);
            c50 = w.fma(b0, c50); c51 = w.fma(b1, c51); c52 = w.fma(b2, c52);
        }
        int o = mOff;
        c00.intoArray(m, o); c01.intoArray(m, o + VL); c02.intoArray(m, o + 2 * VL); o += ms;
        c10.intoArray(m, o); c11.intoArray(m, o + VL); c12.intoArray(m, o + 2 * VL); o += ms;
        c20.intoArray(m, o); c21.intoArray(m, o + VL); c22.intoArray(m, o + 2 * VL); o += ms;
        c30.intoArray(m, o); c31.intoArray(m, o + VL); c32.intoArray(m, o + 2 * VL); o += ms;
        c40.intoArray(m, o); c41.intoArray(m, o + VL); c42.intoArray(m, o + 2 * VL); o += ms;
        c50.intoArray(m, o); c51.intoArray(m, o + VL); c52.intoArray(m, o + 2 * VL);
    }

    /** y from M: Aᵀ along x, y and z, + bias, ReLU when relu, even and odd columns interleaved back; temporaries at st[at..]. */
    static void outputTransform(ConvGeometry g, Tiles tl, float[] m, int r0, int nr, int tp, float[] bias,
                                boolean relu, float[] st, int at, float[] y) {
        final int od = g.od(), oh = g.oh(), ow = g.ow(), cOut = g.cOut();
        for (int k = 0; k < cOut; k++) {
            float bk = bias == null ? 0f : bias[k];
            int mk = k * mStride(tp);
            for (int rr = 0; rr < nr; rr++) {
                int r = r0 + rr, n = r / (tl.td() * tl.th()), tz = r / tl.th() % tl.td(), ty = r % tl.th();
                for (int x0 = 0; x0 < tl.tw(); x0 += VL) {
                    int p0 = mk + rr * tl.tw() + x0;
                    // Along x and y, one ξz plane m[ξz][ξy][ξx] = m[p0 + (16ξz + 4ξy + ξx)·tp] at a time → [ξz][dy][dx].
                    for (int z = 0; z < A; z++) planeXY(m, p0 + z * 16 * tp, tp, st, at + z * 4 * VL);
                    // Along z, then store the two output rows of each output plane of the tile row.
                    for (int dz = 0; dz < 2; dz++) {
                        int oz = 2 * tz + dz;
                        if (oz >= od) break;
                        for (int dy = 0; dy < 2; dy++) {
                            int oy = 2 * ty + dy;
                            if (oy >= oh) break;
                            outputRow(st, at + dy * 2 * VL, dz, bk, relu, y, (((n * cOut + k) * od + oz) * oh + oy) * ow, 2 * x0, ow);
                        }
                    }
                }
            }
        }
    }

    /**
     * Aᵀ along x, then y, of one 4 × 4 plane m[ξy][ξx] = m[p + (4ξy + ξx)·tp], stored as [dy][dx] at out[o..o + 4·VL).
     * Row by row: each ξy row gives its even (m0 + m1 + m2) and odd (m1 − m2 − m3) column, summed into the two rows.
     */
    private static void planeXY(float[] m, int p, int tp, float[] out, int o) {
        FloatVector e0 = FloatVector.zero(S), o0 = e0, e1 = e0, o1 = e0;
        for (int r = 0; r < A; r++) {
            int q = p + 4 * r * tp;
            FloatVector m0 = FloatVector.fromArray(S, m, q), m1 = FloatVector.fromArray(S, m, q + tp);
            FloatVector m2 = FloatVector.fromArray(S, m, q + 2 * tp), m3 = FloatVector.fromArray(S, m, q + 3 * tp);
            FloatVector ev = m0.add(m1).add(m2), od = m1.sub(m2).sub(m3);
            // Aᵀ along y: row 0 takes ξy = 0, 1, 2 (+); row 1 takes 1 (+), 2 and 3 (−).
            if (r < 3) {
                e0 = e0.add(ev);
                o0 = o0.add(od);
            }
            if (r == 1) {
                e1 = e1.add(ev);
                o1 = o1.add(od);
            } else if (r > 1) {
                e1 = e1.sub(ev);
                o1 = o1.sub(od);
            }
        }
        e0.intoArray(out, o);
        o0.intoArray(out, o + VL);
        e1.intoArray(out, o + 2 * VL);
        o1.intoArray(out, o + 3 * VL);
    }

    /**
     * One output row of the tile vector: Aᵀ row dz along z over the [ξz][dy][dx] values st[p + 4ξz·VL + dx·VL], + bias,
     * ReLU when relu, then the even (dx = 0) and odd (dx = 1) columns interleaved into y[row + ox ..], the lanes past ow
     * not stored.
     */
    private static void outputRow(float[] st, int p, int dz, float bias, boolean relu, float[] y, int row, int ox, int ow) {
        final int Z = 4 * VL;
        FloatVector e0 = FloatVector.fromArray(S, st, p), e1 = FloatVector.fromArray(S, st, p + Z);
        FloatVector e2 = FloatVector.fromArray(S, st, p + 2 * Z), e3 = FloatVector.fromArray(S, st, p + 3 * Z);
        FloatVector o0 = FloatVector.fromArray(S, st, p + VL), o1 = FloatVector.fromArray(S, st, p + VL + Z);
        FloatVector o2 = FloatVector.fromArray(S, st, p + VL + 2 * Z), o3 = FloatVector.fromArray(S, st, p + VL + 3 * Z);
        FloatVector e = (dz == 0 ? e0.add(e1).add(e2) : e1.sub(e2).sub(e3)).add(bias);
        FloatVector o = (dz == 0 ? o0.add(o1).add(o2) : o1.sub(o2).sub(o3)).add(bias);
        if (relu) {
            // UnaryOp.RELU lanewise (v > 0 ? v : 0, so NaN becomes 0 as there)
            FloatVector zero = FloatVector.zero(S);
            e = zero.blend(e, e.compare(VectorOperators.GT, 0f));
            o = zero.blend(o, o.compare(VectorOperators.GT, 0f));
        }
        FloatVector lo = e.rearrange(LOW).blend(o.rearrange(LOW), ODD_LANES);
        FloatVector hi = e.rearrange(HIGH).blend(o.rearrange(HIGH), ODD_LANES);
        int lanes = ow - ox;
        if (lanes >= VL) lo.intoArray(y, row + ox);
        else if (lanes > 0) lo.intoArray(y, row + ox, VectorMask.fromLong(S, (1L << lanes) - 1));
        lanes -= VL;
        if (lanes >= VL) hi.intoArray(y, row + ox + VL);
        else if (lanes > 0) hi.intoArray(y, row + ox + VL, VectorMask.fromLong(S, (1L << lanes) - 1));
    }
}
