package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import dev.deepanat.engine.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3D convolution as an implicit GEMM: y[o, voxels] = Σ_(c,tap) A[o, (c,tap)] · B[(c,tap), voxels], where B's
 * row (c, tap) is the zero-padded input slab of the output plane shifted by the tap's offset (see {@link Slab}), so B
 * is never materialized. A register-blocked micro-kernel computes MR = 6 output channels × NR = 3 vectors of voxels
 * (18 accumulators) along the contiguous w axis; weights are packed per block of MR output channels as [(c,tap)][MR]. Work is split over
 * (batch, output plane, output-channel group); the reduction over (c, tap) is blocked by input channels so that the
 * slab rows a tile reads stay in L1 while all output-channel blocks of a group sweep over them.
 *
 * <p>Strides: the slab of a strided convolution holds the input plane split into its stride phases (see
 * {@link Slab}), which makes every tap a contiguous run again, so this kernel runs unchanged for any stride (the
 * discriminator's 3×3 stride-2 conv2d layers).
 *
 * <p>Backward-data is this kernel on the transposed, flipped weights (see {@link ConvBackwardData}).
 */
final class ConvForward {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    static final int MR = 6, NR = 3;

    private ConvForward() {}

    static boolean supports(ConvGeometry g) {
        return g.sd() >= 1 && g.sh() >= 1 && g.sw() >= 1 && g.pd() >= 0 && g.ph() >= 0 && g.pw() >= 0;
    }

    static int packedSize(int cOut, int k) {
        return ((cOut + MR - 1) / MR) * MR * k;
    }

    /** Packs w [cOut][k] (k = cIn·taps) into blocks of MR output channels, [(c,tap)][MR], zero rows past cOut. */
    static void packWeights(float[] w, int cOut, int k, float[] pack) {
        int blocks = (cOut + MR - 1) / MR;
        Parallel.forRange(blocks, 1, (lo, hi) -> {
            for (int ob = lo; ob < hi; ob++) {
                int base = ob * MR * k;
                for (int r = 0; r < MR; r++) {
                    int o = ob * MR + r;
                    if (o < cOut) {
                        int wo = o * k;
                        for (int kk = 0; kk < k; kk++) pack[base + kk * MR + r] = w[wo + kk];
                    } else {
                        for (int kk = 0; kk < k; kk++) pack[base + kk * MR + r] = 0f;
                    }
                }
            }
        });
    }

    /**
     * The vectors of one output plane. Row mode: each vector is a run of up to VL voxels of one row (the last of a row
     * masked). Flat mode, for narrow planes (ow not a multiple of VL, e.g. the U-Net's 8² and 4² levels): vectors run
     * over the padded plane's flattened (y·wp + x) positions, spanning several rows; lanes on padding columns are
     * computed but not stored, and valid lanes are scattered to the output through an index map. Each mode's slab
     * position is pos[v]; lanes[v] is VL (full), 1..VL−1 (masked row tail) or −1 (flat: map and maskBits).
     */
    record PlaneVectors(int count, int[] pos, int[] out, int[] lanes, int[] map, long[] maskBits, boolean flat) {
        static PlaneVectors of(int oh, int ow, int wp) {
            int perRow = (ow + VL - 1) / VL;
            long rowWork = (long) oh * perRow;
            int flatLen = (oh - 1) * wp + ow;
            long flatWork = (flatLen + VL - 1) / VL;
            if (flatWork < rowWork && VL <= 64) {
                int count = (int) flatWork;
                int[] pos = new int[count], out = new int[count], lanes = new int[count], map = new int[count * VL];
                long[] bits = new long[count];
                for (int v = 0; v < count; v++) {
                    pos[v] = v * VL;
                    lanes[v] = -1;
                    for (int l = 0; l < VL; l++) {
                        int p = v * VL + l, y = p / wp, x = p % wp;
                        if (y < oh && x < ow) {
                            map[v * VL + l] = y * ow + x;
                            bits[v] |= 1L << l;
                        }
                    }
                }
                return new PlaneVectors(count, pos, out, lanes, map, bits, true);
            }
            int count = oh * perRow;
            int[] pos = new int[count], out = new int[count], lanes = new int[count];
            int v = 0;
            for (int y = 0; y < oh; y++)
                for (int x0 = 0; x0 < ow; x0 += VL, v++) {
                    pos[v] = y * wp + x0;
                    out[v] = y * ow + x0;
                    lanes[v] = Math.min(VL, ow - x0);
                }
            return new PlaneVectors(count, pos, out, lanes, null, null, false);
        }
    }

    /** Planes handled together by one task: enough vectors to amortize the weight block, slabs within ~4 MiB. */
    static int planeGroup(int planes, int vecsPerPlane, long slabFloats) {
        int want = (256 + vecsPerPlane - 1) / vecsPerPlane;
        int cap = (int) Math.max(1, (1L << 20) / Math.max(1, slabFloats));
        return Math.max(1, Math.min(planes, Math.min(want, cap)));
    }

    /** y = conv(x, w) + bias with weights already packed by {@link #packWeights}. */
    static void run(ConvGeometry g, float[] x, float[] pack, float[] bias, float[] y) {
        run(g, x, pack, bias, y, false);
    }

    /**
     * y = conv(x, w) + bias, and with relu y = max(0, conv(x, w) + bias): the epilogue is applied by the store of the
     * last input-channel block, the only pass that sees a final sum (the earlier blocks store partial sums that the
     * next block reloads), so the fused ReLU costs no pass over y of its own.
     */
    static void run(ConvGeometry g, float[] x, float[] pack, float[] bias, float[] y, boolean relu) {
        final int taps = g.kd() * g.kh() * g.kw();
        final int k = g.cIn() * taps;
        final Slab slab = new Slab(g, VL);
        final int[] boff = slab.tapOffsets(g.cIn());
        final PlaneVectors pv = PlaneVectors.of(g.oh(), g.ow(), slab.wp);
        final int slabStride = slab.size(g.cIn());
        final int planes = g.n() * g.od();
        final int pg = planeGroup(planes, pv.count(), slabStride);
        final int threads0 = Parallel.threads();
        final int groups0 = (planes + pg - 1) / pg;
        // A multiple of the thread count when there are few groups, so that no thread waits on a last, lone group.
        final int groups = groups0 >= 4 * threads0 || groups0 < threads0 ? groups0
                : Math.min(planes, (groups0 + threads0 - 1) / threads0 * threads0);
        final int coBlocks = (g.cOut() + MR - 1) / MR;
        final int threads = Parallel.threads();
        final int coGroups = groups >= 2 * threads ? 1 : Math.min(coBlocks, (2 * threads + groups - 1) / groups);
        final int perGroup = (coBlocks + coGroups - 1) / coGroups;
        // Channel block: the slab rows one tile reads for cb channels fit in about 32 KiB of L1 (48 KiB on Zen 5).
        final int bytesPerChan = g.kd() * g.kh() * (NR * VL + g.kw() - 1) * 4;
        final int cb = Math.max(1, Math.min(g.cIn(), 32768 / bytesPerChan));
        // Output-channel blocks swept per tile: their packed weights for one channel block fit in about 128 KiB.
        final int og = Math.max(1, 131072 / (MR * cb * taps * 4));
        final int planeOut = g.oh() * g.ow();
        final int oStride = g.od() * planeOut;
        Parallel.forRange(groups * coGroups, 1, (lo, hi) -> {
            for (int task = lo; task < hi; task++) {
                int grp = task / coGroups, cg = task % coGroups;
                // Groups as even as possible (10 planes in 4 groups: 3, 3, 2, 2, not 3, 3, 3, 1), at most pg planes.
                int pl0 = (int) ((long) grp * planes / groups), pl1 = (int) ((long) (grp + 1) * planes / groups), np = pl1 - pl0;
                int obLo = cg * perGroup, obHi = Math.min(coBlocks, obLo + perGroup);
                if (obLo >= obHi) continue;
                float[] s = Scratch.floats(Scratch.SLAB, np * slabStride);
                int[] vi = new int[NR], pp = new int[NR], bb = new int[NR];
                for (int j = 0; j < np; j++) {
                    int pl = pl0 + j;
                    slab.fill(x, pl / g.od(), pl % g.od(), 0, g.cIn(), s, j * slabStride);
                }
                int nv = np * pv.count();
                if (g.cOut() == 1) {
                    single(g, pack, s, boff, k, nv, pv, pl0, slabStride, planeOut, y, bias, relu);
                    continue;
                }
                int band = band(nv, (obHi - obLo) * MR);
                for (int t0 = 0; t0 < nv; t0 += band) {
                    int t1 = Math.min(nv, t0 + band);
                    for (int c0 = 0; c0 < g.cIn(); c0 += cb) {
                        int k0 = c0 * taps, k1 = Math.min(g.cIn(), c0 + cb) * taps;
                        boolean acc = c0 > 0, rect = relu && c0 + cb >= g.cIn();
                        for (int g0 = obLo; g0 < obHi; g0 += og) {
                            int g1 = Math.min(obHi, g0 + og);
                            for (int t = t0; t < t1; t += NR) {
                                locate(g, t, nv, pv, pl0, slabStride, planeOut, vi, pp, bb);
                                for (int ob = g0; ob < g1; ob++) {
                                    int o0 = ob * MR;
                                    int rows = Math.min(MR, g.cOut() - o0);
                                    micro6x3(pack, ob * MR * k, s, boff, k0, k1, pp[0], pp[1], pp[2],
                                            y, o0 * oStride, oStride, bb, vi, pv, rows, bias, o0, acc, rect);
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * One output channel (the U-Net's 48 → 1 output layer): the 6-row register block would compute five rows of
     * zeros, so instead 1 × 6 vectors of voxels accumulate over the whole reduction (c, tap) at once, the 6 loads of a
     * step sharing one broadcast weight (packed at stride MR). The task's output vectors in groups of 6, the last group
     * masked past nv.
     */
    private static void single(ConvGeometry g, float[] pack, float[] s, int[] boff, int k, int nv, PlaneVectors pv,
                               int pl0, int slabStride, int planeOut, float[] y, float[] bias, boolean relu) {
        int[] vi = new int[NR1], pp = new int[NR1], bb = new int[NR1];
        for (int t = 0; t < nv; t += NR1) {
            locate(g, t, nv, pv, pl0, slabStride, planeOut, vi, pp, bb);
            FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
            int p0 = pp[0], p1 = pp[1], p2 = pp[2], p3 = pp[3], p4 = pp[4], p5 = pp[5];
            for (int kk = 0, ai = 0; kk < k; kk++, ai += MR) {
                int bo = boff[kk];
                FloatVector w = FloatVector.broadcast(S, pack[ai]);
                c0 = w.fma(FloatVector.fromArray(S, s, bo + p0), c0);
                c1 = w.fma(FloatVector.fromArray(S, s, bo + p1), c1);
                c2 = w.fma(FloatVector.fromArray(S, s, bo + p2), c2);
                c3 = w.fma(FloatVector.fromArray(S, s, bo + p3), c3);
                c4 = w.fma(FloatVector.fromArray(S, s, bo + p4), c4);
                c5 = w.fma(FloatVector.fromArray(S, s, bo + p5), c5);
            }
            put(c0, y, bb[0], pv, vi[0], false, bias, 0, relu);
            put(c1, y, bb[1], pv, vi[1], false, bias, 0, relu);
            put(c2, y, bb[2], pv, vi[2], false, bias, 0, relu);
            put(c3, y, bb[3], pv, vi[3], false, bias, 0, relu);
            put(c4, y, bb[4], pv, vi[4], false, bias, 0, relu);
            put(c5, y, bb[5], pv, vi[5], false, bias, 0, relu);
        }
    }

    /**
     * Where the task's output vectors t, t + 1, … (vi.length of them; index < nv) are: vi[q] the plane vector, pp[q]
     * its slab position, bb[q] its output plane's offset in y (batch item and plane; the channel is the caller's).
     * Past nv, vi[q] = −1 (not stored) and the first vector's positions (read, never written).
     */
    private static void locate(ConvGeometry g, int t, int nv, PlaneVectors pv, int pl0, int slabStride, int planeOut,
                               int[] vi, int[] pp, int[] bb) {
        int oStride = g.od() * planeOut;
        for (int q = 0; q < vi.length; q++) {
            int tq = t + q;
            if (tq < nv) {
                int jq = tq / pv.count(), plq = pl0 + jq;
                vi[q] = tq % pv.count();
                pp[q] = jq * slabStride + pv.pos()[vi[q]];
                bb[q] = (plq / g.od()) * g.cOut() * oStride + (plq % g.od()) * planeOut;
            } else {
                vi[q] = -1;
                pp[q] = pp[0];
                bb[q] = bb[0];
            }
        }
    }

    /** Output vectors per step of {@link #single}. */
    static final int NR1 = 6;

    /** Output floats of one band (its partial sums, reloaded by every channel block): 256 KiB, half of a Zen 4 L2. */
    static final int BAND_FLOATS = 1 << 16;

    /**
     * Vectors per band: the reduction over channel blocks runs over one band of a task's output vectors at a time, so
     * that the band's partial sums (outChannels × band vectors) stay in L2 while every channel block adds to them. A
     * whole 64² plane of 48 channels is 768 KiB and a 160 × 176 plane (whole-volume inference) 5.4 MiB: without bands
     * every channel block re-read and re-wrote them from L3 or memory. A multiple of NR, at least 8·NR (the weights,
     * L2-resident within a band, are re-read once per band).
     */
    static int band(int vectors, int outChannels) {
        int b = BAND_FLOATS / (VL * Math.max(1, outChannels)) / NR * NR;
        return Math.min(vectors, Math.max(8 * NR, b));
    }

    /**
     * C[6 × 3 vectors] (+)= Σ_kk A[kk][0..5] · slab[boff[kk] + p0|p1|p2]; stores rows < rows of the vectors vi[q] ≥ 0,
     * rectified when relu.
     */
    static void micro6x3(float[] a, int aOff, float[] s, int[] boff, int k0, int k1, int p0, int p1, int p2,
                         float[] y, int yOff, int oStride, int[] bb, int[] vi, PlaneVectors pv,
                         int rows, float[] bias, int o0, boolean acc, boolean relu) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
        int ai = aOff + k0 * MR;
        for (int kk = k0; kk < k1; kk++, ai += MR) {
            int bo = boff[kk];
            FloatVector b0 = FloatVector.fromArray(S, s, bo + p0);
            FloatVector b1 = FloatVector.fromArray(S, s, bo + p1);
            FloatVector b2 = FloatVector.fromArray(S, s, bo + p2);
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
        int b0 = bb[0], b1 = bb[1], b2 = bb[2], v0 = vi[0], v1 = vi[1], v2 = vi[2];
        put(c00, y, yOff + b0, pv, v0, acc, bias, o0, relu);
        put(c01, y, yOff + b1, pv, v1, acc, bias, o0, relu);
        put(c02, y, yOff + b2, pv, v2, acc, bias, o0, relu);
        if (rows > 1) {
            int r = yOff + oStride;
            put(c10, y, r + b0, pv, v0, acc, bias, o0 + 1, relu);
            put(c11, y, r + b1, pv, v1, acc, bias, o0 + 1, relu);
            put(c12, y, r + b2, pv, v2, acc, bias, o0 + 1, relu);
        }
        if (rows > 2) {
            int r = yOff + 2 * oStride;
            put(c20, y, r + b0, pv, v0, acc, bias, o0 + 2, relu);
            put(c21, y, r + b1, pv, v1, acc, bias, o0 + 2, relu);
            put(c22, y, r + b2, pv, v2, acc, bias, o0 + 2, relu);
        }
        if (rows > 3) {
            int r = yOff + 3 * oStride;
            put(c30, y, r + b0, pv, v0, acc, bias, o0 + 3, relu);
            put(c31, y, r + b1, pv, v1, acc, bias, o0 + 3, relu);
            put(c32, y, r + b2, pv, v2, acc, bias, o0 + 3, relu);
        }
        if (rows > 4) {
            int r = yOff + 4 * oStride;
            put(c40, y, r + b0, pv, v0, acc, bias, o0 + 4, relu);
            put(c41, y, r + b1, pv, v1, acc, bias, o0 + 4, relu);
            put(c42, y, r + b2, pv, v2, acc, bias, o0 + 4, relu);
        }
        if (rows > 5) {
            int r = yOff + 5 * oStride;
            put(c50, y, r + b0, pv, v0, acc, bias, o0 + 5, relu);
            put(c51, y, r + b1, pv, v1, acc, bias, o0 + 5, relu);
            put(c52, y, r + b2, pv, v2, acc, bias, o0 + 5, relu);
        }
    }

    private static void put(FloatVector v, float[] y, int base, PlaneVectors pv, int vi, boolean acc, float[] bias, int o,
                            boolean relu) {
        if (vi < 0) return;
        int lanes = pv.lanes()[vi];
        if (lanes == VL) {
            int idx = base + pv.out()[vi];
            v = acc ? v.add(FloatVector.fromArray(S, y, idx)) : bias == null ? v : v.add(bias[o]);
            rect(v, relu).intoArray(y, idx);
        } else if (lanes > 0) {
            int idx = base + pv.out()[vi];
            VectorMask<Float> m = S.indexInRange(0, lanes);
            v = acc ? v.add(FloatVector.fromArray(S, y, idx, m)) : bias == null ? v : v.add(bias[o]);
            rect(v, relu).intoArray(y, idx, m);
        } else {
            VectorMask<Float> m = VectorMask.fromLong(S, pv.maskBits()[vi]);
            v = acc ? v.add(FloatVector.fromArray(S, y, base, pv.map(), vi * VL, m)) : bias == null ? v : v.add(bias[o]);
            rect(v, relu).intoArray(y, base, pv.map(), vi * VL, m);
        }
    }

    /** UnaryOp.RELU lanewise when relu (v > 0 ? v : 0, so NaN becomes 0 as there, unlike max). */
    private static FloatVector rect(FloatVector v, boolean relu) {
        return relu ? FloatVector.zero(S).blend(v, v.compare(VectorOperators.GT, 0f)) : v;
    }
}
