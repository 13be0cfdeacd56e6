package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Stride-1 3D convolution as an implicit GEMM: y[o, voxels] = Σ_(c,tap) A[o, (c,tap)] · B[(c,tap), voxels], where B's
 * row (c, tap) is the zero-padded input slab of the output plane shifted by the tap's offset (see {@link Slab}), so B
 * is never materialized. A register-blocked micro-kernel computes MR output channels × NR vectors of voxels along the
 * contiguous w axis; weights are packed per block of MR output channels as [(c,tap)][MR]. Work is split over
 * (batch, output plane, output-channel group); the reduction over (c, tap) is blocked by input channels so that the
 * slab rows a tile reads stay in L1 while all output-channel blocks of a group sweep over them.
 *
 * <p>Backward-data is this kernel on the transposed, flipped weights (see {@link ConvBackwardData}).
 */
final class ConvForward {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    static final int MR = 6, NR = 2;

    private ConvForward() {}

    static boolean supports(ConvGeometry g) {
        return g.sd() == 1 && g.sh() == 1 && g.sw() == 1 && g.pd() >= 0 && g.ph() >= 0 && g.pw() >= 0;
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
        final int taps = g.kd() * g.kh() * g.kw();
        final int k = g.cIn() * taps;
        final Slab slab = new Slab(g, VL);
        final int[] boff = slab.tapOffsets(g.cIn());
        final PlaneVectors pv = PlaneVectors.of(g.oh(), g.ow(), slab.wp);
        final int slabStride = slab.size(g.cIn());
        final int planes = g.n() * g.od();
        final int pg = planeGroup(planes, pv.count(), slabStride);
        final int groups = (planes + pg - 1) / pg;
        final int coBlocks = (g.cOut() + MR - 1) / MR;
        final int threads = Parallel.threads();
        final int coGroups = groups >= 2 * threads ? 1 : Math.min(coBlocks, (2 * threads + groups - 1) / groups);
        final int perGroup = (coBlocks + coGroups - 1) / coGroups;
        // Channel block: the slab rows one tile reads for cb channels fit in about 16 KiB of L1.
        final int bytesPerChan = g.kd() * g.kh() * (NR * VL + g.kw() - 1) * 4;
        final int cb = Math.max(1, Math.min(g.cIn(), 16384 / bytesPerChan));
        // Output-channel blocks swept per tile: their packed weights for one channel block fit in about 128 KiB.
        final int og = Math.max(1, 131072 / (MR * cb * taps * 4));
        final int planeOut = g.oh() * g.ow();
        final int oStride = g.od() * planeOut;
        Parallel.forRange(groups * coGroups, 1, (lo, hi) -> {
            for (int task = lo; task < hi; task++) {
                int grp = task / coGroups, cg = task % coGroups;
                int pl0 = grp * pg, pl1 = Math.min(planes, pl0 + pg), np = pl1 - pl0;
                int obLo = cg * perGroup, obHi = Math.min(coBlocks, obLo + perGroup);
                if (obLo >= obHi) continue;
                float[] s = Scratch.floats(Scratch.SLAB, np * slabStride);
                for (int j = 0; j < np; j++) {
                    int pl = pl0 + j;
                    slab.fill(x, pl / g.od(), pl % g.od(), 0, g.cIn(), s, j * slabStride);
                }
                int nv = np * pv.count();
                for (int c0 = 0; c0 < g.cIn(); c0 += cb) {
                    int k0 = c0 * taps, k1 = Math.min(g.cIn(), c0 + cb) * taps;
                    boolean acc = c0 > 0;
                    for (int g0 = obLo; g0 < obHi; g0 += og) {
                        int g1 = Math.min(obHi, g0 + og);
                        for (int t = 0; t < nv; t += NR) {
                            int j0 = t / pv.count(), v0 = t % pv.count();
                            int pl = pl0 + j0;
                            int p0 = j0 * slabStride + pv.pos()[v0];
                            int b0 = (pl / g.od()) * g.cOut() * oStride + (pl % g.od()) * planeOut;
                            int p1, b1, v1;
                            if (t + 1 < nv) {
                                int j1 = (t + 1) / pv.count();
                                v1 = (t + 1) % pv.count();
                                int pl1b = pl0 + j1;
                                p1 = j1 * slabStride + pv.pos()[v1];
                                b1 = (pl1b / g.od()) * g.cOut() * oStride + (pl1b % g.od()) * planeOut;
                            } else {
                                v1 = -1;
                                p1 = p0;
                                b1 = b0;
                            }
                            for (int ob = g0; ob < g1; ob++) {
                                int o0 = ob * MR;
                                int rows = Math.min(MR, g.cOut() - o0);
                                micro6x2(pack, ob * MR * k, s, boff, k0, k1, p0, p1,
                                        y, o0 * oStride, oStride, b0, v0, b1, v1, pv, rows, bias, o0, acc);
                            }
                        }
                    }
                }
            }
        });
    }

    /** C[6 × 2 vectors] (+)= Σ_kk A[kk][0..5] · slab[boff[kk] + p0|p1 ...]; stores rows < rows, lanes < l0|l1. */
    static void micro6x2(float[] a, int aOff, float[] s, int[] boff, int k0, int k1, int p0, int p1,
                         float[] y, int yOff, int oStride, int base0, int v0, int base1, int v1, PlaneVectors pv,
                         int rows, float[] bias, int o0, boolean acc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int ai = aOff + k0 * MR;
        for (int kk = k0; kk < k1; kk++, ai += MR) {
            int bo = boff[kk];
            FloatVector b0 = FloatVector.fromArray(S, s, bo + p0);
            FloatVector b1 = FloatVector.fromArray(S, s, bo + p1);
            FloatVector w = FloatVector.broadcast(S, a[ai]);
            c00 = w.fma(b0, c00);
            c01 = w.fma(b1, c01);
            w = FloatVector.broadcast(S, a[ai + 1]);
            c10 = w.fma(b0, c10);
            c11 = w.fma(b1, c11);
            w = FloatVector.broadcast(S, a[ai + 2]);
            c20 = w.fma(b0, c20);
            c21 = w.fma(b1, c21);
            w = FloatVector.broadcast(S, a[ai + 3]);
            c30 = w.fma(b0, c30);
            c31 = w.fma(b1, c31);
            w = FloatVector.broadcast(S, a[ai + 4]);
            c40 = w.fma(b0, c40);
            c41 = w.fma(b1, c41);
            w = FloatVector.broadcast(S, a[ai + 5]);
            c50 = w.fma(b0, c50);
            c51 = w.fma(b1, c51);
        }
        put(c00, y, yOff + base0, pv, v0, acc, bias, o0);
        put(c01, y, yOff + base1, pv, v1, acc, bias, o0);
        if (rows > 1) {
            put(c10, y, yOff + oStride + base0, pv, v0, acc, bias, o0 + 1);
            put(c11, y, yOff + oStride + base1, pv, v1, acc, bias, o0 + 1);
        }
        if (rows > 2) {
            put(c20, y, yOff + 2 * oStride + base0, pv, v0, acc, bias, o0 + 2);
            put(c21, y, yOff + 2 * oStride + base1, pv, v1, acc, bias, o0 + 2);
        }
        if (rows > 3) {
            put(c30, y, yOff + 3 * oStride + base0, pv, v0, acc, bias, o0 + 3);
            put(c31, y, yOff + 3 * oStride + base1, pv, v1, acc, bias, o0 + 3);
        }
        if (rows > 4) {
            put(c40, y, yOff + 4 * oStride + base0, pv, v0, acc, bias, o0 + 4);
            put(c41, y, yOff + 4 * oStride + base1, pv, v1, acc, bias, o0 + 4);
        }
        if (rows > 5) {
            put(c50, y, yOff + 5 * oStride + base0, pv, v0, acc, bias, o0 + 5);
            put(c51, y, yOff + 5 * oStride + base1, pv, v1, acc, bias, o0 + 5);
        }
    }

    private static void put(FloatVector v, float[] y, int base, PlaneVectors pv, int vi, boolean acc, float[] bias, int o) {
        if (vi < 0) return;
        int lanes = pv.lanes()[vi];
        if (lanes == VL) {
            int idx = base + pv.out()[vi];
            v = acc ? v.add(FloatVector.fromArray(S, y, idx)) : bias == null ? v : v.add(bias[o]);
            v.intoArray(y, idx);
        } else if (lanes > 0) {
            int idx = base + pv.out()[vi];
            VectorMask<Float> m = S.indexInRange(0, lanes);
            v = acc ? v.add(FloatVector.fromArray(S, y, idx, m)) : bias == null ? v : v.add(bias[o]);
            v.intoArray(y, idx, m);
        } else {
            VectorMask<Float> m = VectorMask.fromLong(S, pv.maskBits()[vi]);
            v = acc ? v.add(FloatVector.fromArray(S, y, base, pv.map(), vi * VL, m)) : bias == null ? v : v.add(bias[o]);
            v.intoArray(y, base, pv.map(), vi * VL, m);
        }
    }
}
