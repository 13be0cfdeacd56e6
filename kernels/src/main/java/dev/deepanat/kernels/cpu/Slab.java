package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.backend.ConvGeometry;

import java.util.Arrays;

/**
 * The zero-padded input slab of a stride-1 convolution for one output plane z: for channels [c0, c1) and kernel
 * planes i ∈ [0, kd), the input plane z + i − pd padded to hp × wp = (oh + kh − 1) × (ow + kw − 1). With it every tap
 * (i, j, k) of every output row is a contiguous, in-bounds run: slab[c][i][y + j][x + k].
 */
final class Slab {
    final int hp, wp, planeSize, chanSize, tail;
    final ConvGeometry g;

    Slab(ConvGeometry g, int vl) {
        this.g = g;
        hp = g.oh() + g.kh() - 1;
        wp = g.ow() + g.kw() - 1;
        planeSize = hp * wp;
        chanSize = g.kd() * planeSize;
        tail = 2 * vl + wp;
    }

    /** Floats needed for nc channels, with a tail so that a whole vector read past a row end stays in bounds. */
    int size(int nc) {
        return nc * chanSize + tail;
    }

    /** Fills s from offset at with channels [c0, c1) of batch item n for output plane z, then a zero tail. */
    void fill(float[] x, int n, int z, int c0, int c1, float[] s, int at) {
        int d = g.d(), h = g.h(), w = g.w();
        int pw = g.pw(), ph = g.ph();
        int xCols = Math.min(w, wp - pw);
        for (int c = c0; c < c1; c++) {
            int sc = at + (c - c0) * chanSize;
            for (int i = 0; i < g.kd(); i++) {
                int iz = z + i - g.pd();
                int sp = sc + i * planeSize;
                if (iz < 0 || iz >= d) {
                    Arrays.fill(s, sp, sp + planeSize, 0f);
                    continue;
                }
                int xPlane = ((n * g.cIn() + c) * d + iz) * h * w;
                for (int yp = 0; yp < hp; yp++) {
                    int iy = yp - ph;
                    int row = sp + yp * wp;
                    if (iy < 0 || iy >= h) {
                        Arrays.fill(s, row, row + wp, 0f);
                        continue;
                    }
                    if (pw > 0) Arrays.fill(s, row, row + pw, 0f);
                    if (xCols > 0) System.arraycopy(x, xPlane + iy * w, s, row + pw, xCols);
                    int filled = pw + Math.max(0, xCols);
                    if (filled < wp) Arrays.fill(s, row + filled, row + wp, 0f);
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
                    for (int k = 0; k < g.kw(); k++)
                        off[c * taps + (i * g.kh() + j) * g.kw() + k] = c * chanSize + i * planeSize + j * wp + k;
        return off;
    }
}
