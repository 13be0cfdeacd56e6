package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.backend.ConvGeometry;

import java.util.Arrays;

/**
 * The zero-padded input slab of a convolution for one output plane z: for channels [c0, c1) and kernel planes
 * i ∈ [0, kd), the input plane z·sd + i − pd, laid out so that every tap (i, j, k) of every output row is a
 * contiguous, in-bounds run of the slab starting at the output position y·wp + x.
 *
 * <p>Stride 1: the plane padded to hp × wp = (oh + kh − 1) × (ow + kw − 1), slab[c][i][y + j][x + k].
 *
 * <p>Stride (sh, sw) in-plane: the plane is split into its sh·sw <em>phases</em> (polyphase layout). Write
 * j − ph = sh·qj + rj with 0 ≤ rj &lt; sh (and likewise k − pw = sw·qk + rk); then the tap reads input row
 * sh·(y + qj) + rj, i.e. row y + qj of phase rj. Phase (rj, rk) is stored as an hp × wp plane whose row yp holds input
 * row sh·(yp + qy0) + rj and column xp input column sw·(xp + qx0) + rk (qy0, qx0 the smallest qj, qk; zero outside the
 * input), so tap (i, j, k) of output (y, x) is slab[c][i][rj·sw + rk][y + qj − qy0][x + qk − qx0]: the same contiguous
 * runs as stride 1, and the stride-1 kernels run unchanged on it. Copying the input into phases is a gather the size
 * of the input, once per slab; a 3×3 stride-2 tap sweep then reads 4 planes of a quarter of the input each. Strides
 * along depth need nothing: each output plane has its own slab.
 */
final class Slab {
    final int hp, wp, phaseSize, planeSize, chanSize, tail;
    /** The smallest phase row and column offsets qj, qk (−ph, −pw for stride 1). */
    final int qy0, qx0;
    final ConvGeometry g;

    Slab(ConvGeometry g, int vl) {
        this.g = g;
        qy0 = Math.floorDiv(-g.ph(), g.sh());
        qx0 = Math.floorDiv(-g.pw(), g.sw());
        hp = g.oh() + Math.floorDiv(g.kh() - 1 - g.ph(), g.sh()) - qy0;
        wp = g.ow() + Math.floorDiv(g.kw() - 1 - g.pw(), g.sw()) - qx0;
        phaseSize = hp * wp;
        planeSize = g.sh() * g.sw() * phaseSize;
        chanSize = g.kd() * planeSize;
        tail = 2 * vl + wp;
    }

    /** Floats needed for nc channels, with a tail so that a whole vector read past a row end stays in bounds. */
    int size(int nc) {
        return nc * chanSize + tail;
    }

    /** Fills s from offset at with channels [c0, c1) of batch item n for output plane z, then a zero tail. */
    void fill(float[] x, int n, int z, int c0, int c1, float[] s, int at) {
        int d = g.d(), h = g.h(), w = g.w(), sh = g.sh(), sw = g.sw();
        for (int c = c0; c < c1; c++) {
            int sc = at + (c - c0) * chanSize;
            for (int i = 0; i < g.kd(); i++) {
                int iz = z * g.sd() + i - g.pd();
                int sp = sc + i * planeSize;
                if (iz < 0 || iz >= d) {
                    Arrays.fill(s, sp, sp + planeSize, 0f);
                    continue;
                }
                int xPlane = ((n * g.cIn() + c) * d + iz) * h * w;
                for (int ry = 0; ry < sh; ry++)
                    for (int rx = 0; rx < sw; rx++) {
                        int ph = sp + (ry * sw + rx) * phaseSize;
                        // Slab columns [xLo, xHi) hold input columns sw·(xp + qx0) + rx ∈ [0, w).
                        int xLo = Math.max(0, Math.min(wp, Math.floorDiv(-rx + sw - 1, sw) - qx0));
                        int xHi = Math.max(xLo, Math.min(wp, Math.floorDiv(w - 1 - rx, sw) + 1 - qx0));
                        int ix0 = sw * (xLo + qx0) + rx;
                        for (int yp = 0; yp < hp; yp++) {
                            int iy = sh * (yp + qy0) + ry;
                            int row = ph + yp * wp;
                            if (iy < 0 || iy >= h || xLo >= xHi) {
                                Arrays.fill(s, row, row + wp, 0f);
                                continue;
                            }
                            if (xLo > 0) Arrays.fill(s, row, row + xLo, 0f);
                            int src = xPlane + iy * w + ix0;
                            if (sw == 1) {
                                System.arraycopy(x, src, s, row + xLo, xHi - xLo);
                            } else {
                                for (int xp = xLo; xp < xHi; xp++, src += sw) s[row + xp] = x[src];
                            }
                            if (xHi < wp) Arrays.fill(s, row + xHi, row + wp, 0f);
                        }
                    }
            }
        }
        int end = at + (c1 - c0) * chanSize;
        Arrays.fill(s, end, end + tail, 0f);
    }

    /** offsets[kk] of each (channel, tap) pair kk = (c − c0)·taps + tap within a slab. */
    int[] tapOffsets(int nc) {
        int taps = g.kd() * g.kh() * g.kw();
        int[] off = new int[nc * taps];
        for (int c = 0; c < nc; c++)
            for (int i = 0; i < g.kd(); i++)
                for (int j = 0; j < g.kh(); j++)
                    for (int k = 0; k < g.kw(); k++) {
                        int qj = Math.floorDiv(j - g.ph(), g.sh()), rj = Math.floorMod(j - g.ph(), g.sh());
                        int qk = Math.floorDiv(k - g.pw(), g.sw()), rk = Math.floorMod(k - g.pw(), g.sw());
                        off[c * taps + (i * g.kh() + j) * g.kw() + k] = c * chanSize + i * planeSize
                                + (rj * g.sw() + rk) * phaseSize + (qj - qy0) * wp + (qk - qx0);
                    }
        return off;
    }
}
