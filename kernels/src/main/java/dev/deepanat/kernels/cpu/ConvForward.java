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

    /** The vectors of one output plane: each a run of up to VL voxels of one row. */
    record RowVectors(int count, int[] pos, int[] out, int[] lanes) {
        static RowVectors of(int oh, int ow, int wp) {
            int per = (ow + VL - 1) / VL;
            int count = oh * per;
            int[] pos = new int[count], out = new int[count], lanes = new int[count];
            int v = 0;
            for (int y = 0; y < oh; y++)
                for (int x0 = 0; x0 < ow; x0 += VL, v++) {
                    pos[v] = y * wp + x0;
                    out[v] = y * ow + x0;
                    lanes[v] = Math.min(VL, ow - x0);
                }
            return new RowVectors(count, pos, out, lanes);
        }
    }

    /** y = conv(x, w) + bias with weights already packed by {@link #packWeights}. */
    static void run(ConvGeometry g, float[] x, float[] pack, float[] bias, float[] y) {
        final int taps = g.kd() * g.kh() * g.kw();
        final int k = g.cIn() * taps;
        final Slab slab = new Slab(g, VL);
        final int[] boff = slab.tapOffsets(g.cIn());
        final RowVectors rv = RowVectors.of(g.oh(), g.ow(), slab.wp);
        final int tiles = (rv.count() + NR - 1) / NR;
        final int coBlocks = (g.cOut() + MR - 1) / MR;
        final int planes = g.n() * g.od();
        final int threads = Parallel.threads();
        final int coGroups = planes >= 2 * threads ? 1 : Math.min(coBlocks, (2 * threads + planes - 1) / planes);
        final int perGroup = (coBlocks + coGroups - 1) / coGroups;
        // Channel block: the slab rows one tile reads for cb channels fit in about 16 KiB of L1.
        final int bytesPerChan = g.kd() * g.kh() * (NR * VL + g.kw() - 1) * 4;
        final int cb = Math.max(1, Math.min(g.cIn(), 16384 / bytesPerChan));
        // Output-channel blocks swept per tile: their packed weights for one channel block fit in about 128 KiB.
        final int og = Math.max(1, 131072 / (MR * cb * taps * 4));
        final int planeOut = g.oh() * g.ow();
        final int oStride = g.od() * planeOut;
        Parallel.forRange(planes * coGroups, 1, (lo, hi) -> {
            float[] s = Scratch.floats(Scratch.SLAB, slab.size(g.cIn()));
            int filledPlane = -1;
            for (int task = lo; task < hi; task++) {
                int plane = task / coGroups, grp = task % coGroups;
                int n = plane / g.od(), z = plane % g.od();
                int obLo = grp * perGroup, obHi = Math.min(coBlocks, obLo + perGroup);
                if (obLo >= obHi) continue;
                if (filledPlane != plane) {
                    slab.fill(x, n, z, 0, g.cIn(), s);
                    filledPlane = plane;
                }
                int zOut = z * planeOut;
                for (int c0 = 0; c0 < g.cIn(); c0 += cb) {
                    int k0 = c0 * taps, k1 = Math.min(g.cIn(), c0 + cb) * taps;
                    boolean acc = c0 > 0;
                    for (int g0 = obLo; g0 < obHi; g0 += og) {
                        int g1 = Math.min(obHi, g0 + og);
                        for (int t = 0; t < tiles; t++) {
                            int v0 = t * NR, v1 = v0 + 1;
                            int p0 = rv.pos()[v0], q0 = zOut + rv.out()[v0], l0 = rv.lanes()[v0];
                            int p1, q1, l1;
                            if (v1 < rv.count()) {
                                p1 = rv.pos()[v1]; q1 = zOut + rv.out()[v1]; l1 = rv.lanes()[v1];
                            } else {
                                p1 = p0; q1 = q0; l1 = 0;
                            }
                            for (int ob = g0; ob < g1; ob++) {
                                int o0 = ob * MR;
                                int rows = Math.min(MR, g.cOut() - o0);
                                micro6x2(pack, ob * MR * k, s, boff, k0, k1, p0, p1,
                                        y, (n * g.cOut() + o0) * oStride, oStride, q0, q1, l0, l1, rows,
                                        bias, o0, acc);
                            }
                        }
                    }
                }
            }
        });
    }

    /** C[6 × 2 vectors] (+)= Σ_kk A[kk][0..5] · slab[boff[kk] + p0|p1 ...]; stores rows < rows, lanes < l0|l1. */
    static void micro6x2(float[] a, int aOff, float[] s, int[] boff, int k0, int k1, int p0, int p1,
                         float[] y, int yOff, int oStride, int q0, int q1, int l0, int l1, int rows,
                         float[] bias, int o0, boolean acc) {
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
        put(c00, y, yOff + q0, l0, acc, bias, o0);
        put(c01, y, yOff + q1, l1, acc, bias, o0);
        if (rows > 1) {
            put(c10, y, yOff + oStride + q0, l0, acc, bias, o0 + 1);
            put(c11, y, yOff + oStride + q1, l1, acc, bias, o0 + 1);
        }
        if (rows > 2) {
            put(c20, y, yOff + 2 * oStride + q0, l0, acc, bias, o0 + 2);
            put(c21, y, yOff + 2 * oStride + q1, l1, acc, bias, o0 + 2);
        }
        if (rows > 3) {
            put(c30, y, yOff + 3 * oStride + q0, l0, acc, bias, o0 + 3);
            put(c31, y, yOff + 3 * oStride + q1, l1, acc, bias, o0 + 3);
        }
        if (rows > 4) {
            put(c40, y, yOff + 4 * oStride + q0, l0, acc, bias, o0 + 4);
            put(c41, y, yOff + 4 * oStride + q1, l1, acc, bias, o0 + 4);
        }
        if (rows > 5) {
            put(c50, y, yOff + 5 * oStride + q0, l0, acc, bias, o0 + 5);
            put(c51, y, yOff + 5 * oStride + q1, l1, acc, bias, o0 + 5);
        }
    }

    private static void put(FloatVector v, float[] y, int idx, int lanes, boolean acc, float[] bias, int o) {
        if (lanes == VL) {
            v = acc ? v.add(FloatVector.fromArray(S, y, idx)) : bias == null ? v : v.add(bias[o]);
            v.intoArray(y, idx);
        } else if (lanes > 0) {
            VectorMask<Float> m = S.indexInRange(0, lanes);
            v = acc ? v.add(FloatVector.fromArray(S, y, idx, m)) : bias == null ? v : v.add(bias[o]);
            v.intoArray(y, idx, m);
        }
    }
}
