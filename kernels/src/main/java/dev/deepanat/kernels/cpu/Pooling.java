package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import dev.deepanat.engine.backend.PoolGeometry;
import dev.deepanat.engine.backend.UpsampleGeometry;

import java.util.Arrays;

/**
 * Max pooling (first maximum wins, NaN propagates, as the reference) and nearest upsampling, split over the
 * (batch, channel) planes. These are memory-bound; the loops walk rows with running indices instead of recomputing
 * the full multi-index per element.
 */
final class Pooling {
    private Pooling() {}

    private static int planesGrain(long planeSize) {
        return (int) Math.max(1, (1 << 15) / Math.max(1, planeSize));
    }

    static void maxPool(PoolGeometry g, float[] x, float[] y) {
        int planes = g.n() * g.c();
        int inPlane = g.d() * g.h() * g.w(), outPlane = g.od() * g.oh() * g.ow();
        Parallel.forRange(planes, planesGrain(inPlane), (lo, hi) -> {
            for (int nc = lo; nc < hi; nc++) window(g, x, nc * inPlane, y, null, null, nc * outPlane);
        });
    }

    static void maxPoolBackward(PoolGeometry g, float[] x, float[] dy, float[] dx) {
        int planes = g.n() * g.c();
        int inPlane = g.d() * g.h() * g.w(), outPlane = g.od() * g.oh() * g.ow();
        Parallel.forRange(planes, planesGrain(inPlane), (lo, hi) -> {
            Arrays.fill(dx, lo * inPlane, hi * inPlane, 0f);
            for (int nc = lo; nc < hi; nc++) window(g, x, nc * inPlane, null, dy, dx, nc * outPlane);
        });
    }

    /** For each window of one plane: y[yi] = max (forward), or dx[argmax] += dy[yi] (backward). */
    private static void window(PoolGeometry g, float[] x, int base, float[] y, float[] dy, float[] dx, int yBase) {
        int h = g.h(), w = g.w();
        int yi = yBase;
        if (g.kd() == 2 && g.kh() == 2 && g.kw() == 2) {
            int hw = h * w;
            for (int oz = 0; oz < g.od(); oz++)
                for (int oy = 0; oy < g.oh(); oy++) {
                    int r0 = base + oz * g.sd() * hw + oy * g.sh() * w;
                    for (int ox = 0; ox < g.ow(); ox++, yi++) {
                        int a = r0 + ox * g.sw();
                        int best = a;
                        float bv = x[a];
                        // Same visiting order and comparison as the reference: first maximum, NaN wins once.
                        int i1 = a + 1, i2 = a + w, i3 = a + w + 1, i4 = a + hw, i5 = a + hw + 1, i6 = a + hw + w, i7 = a + hw + w + 1;
                        float v;
                        v = x[i1]; if (v > bv || v != v && bv == bv) { best = i1; bv = v; }
                        v = x[i2]; if (v > bv || v != v && bv == bv) { best = i2; bv = v; }
                        v = x[i3]; if (v > bv || v != v && bv == bv) { best = i3; bv = v; }
                        v = x[i4]; if (v > bv || v != v && bv == bv) { best = i4; bv = v; }
                        v = x[i5]; if (v > bv || v != v && bv == bv) { best = i5; bv = v; }
                        v = x[i6]; if (v > bv || v != v && bv == bv) { best = i6; bv = v; }
                        v = x[i7]; if (v > bv || v != v && bv == bv) { best = i7; bv = v; }
                        if (y != null) y[yi] = bv;
                        else dx[best] += dy[yi];
                    }
                }
            return;
        }
        for (int oz = 0; oz < g.od(); oz++)
            for (int oy = 0; oy < g.oh(); oy++)
                for (int ox = 0; ox < g.ow(); ox++, yi++) {
                    int best = -1;
                    float bv = Float.NEGATIVE_INFINITY;
                    for (int i = 0; i < g.kd(); i++)
                        for (int j = 0; j < g.kh(); j++) {
                            int row = base + ((oz * g.sd() + i) * h + oy * g.sh() + j) * w + ox * g.sw();
                            for (int k = 0; k < g.kw(); k++) {
                                float v = x[row + k];
                                if (best < 0 || v > bv || v != v && bv == bv) {
                                    best = row + k;
                                    bv = v;
                                }
                            }
                        }
                    if (y != null) y[yi] = bv;
                    else dx[best] += dy[yi];
                }
    }

    static void upsample(UpsampleGeometry g, float[] x, float[] y) {
        int oh = g.h() * g.fh(), ow = g.w() * g.fw(), od = g.d() * g.fd();
        int inPlane = g.d() * g.h() * g.w(), outPlane = od * oh * ow;
        Parallel.forRange(g.n() * g.c(), planesGrain(outPlane), (lo, hi) -> {
            for (int nc = lo; nc < hi; nc++) {
                int xb = nc * inPlane, yb = nc * outPlane;
                for (int z = 0; z < od; z++)
                    for (int yy = 0; yy < oh; yy++) {
                        int yr = yb + (z * oh + yy) * ow;
                        if (yy % g.fh() != 0) {
                            // Same source row as the previous output row: copy it.
                            System.arraycopy(y, yr - ow, y, yr, ow);
                            continue;
                        }
                        int xr = xb + ((z / g.fd()) * g.h() + yy / g.fh()) * g.w();
                        if (g.fw() == 2) {
                            for (int xx = 0; xx < g.w(); xx++) {
                                float v = x[xr + xx];
                                y[yr + 2 * xx] = v;
                                y[yr + 2 * xx + 1] = v;
                            }
                        } else {
                            for (int xx = 0; xx < ow; xx++) y[yr + xx] = x[xr + xx / g.fw()];
                        }
                    }
            }
        });
    }

    static void upsampleBackward(UpsampleGeometry g, float[] dy, float[] dx) {
        int oh = g.h() * g.fh(), ow = g.w() * g.fw(), od = g.d() * g.fd();
        int inPlane = g.d() * g.h() * g.w(), outPlane = od * oh * ow;
        Parallel.forRange(g.n() * g.c(), planesGrain(outPlane), (lo, hi) -> {
            Arrays.fill(dx, lo * inPlane, hi * inPlane, 0f);
            for (int nc = lo; nc < hi; nc++) {
                int xb = nc * inPlane, yb = nc * outPlane;
                for (int z = 0; z < od; z++)
                    for (int yy = 0; yy < oh; yy++) {
                        int yr = yb + (z * oh + yy) * ow;
                        int xr = xb + ((z / g.fd()) * g.h() + yy / g.fh()) * g.w();
                        if (g.fw() == 2) {
                            for (int xx = 0; xx < g.w(); xx++) dx[xr + xx] += dy[yr + 2 * xx] + dy[yr + 2 * xx + 1];
                        } else {
                            for (int xx = 0; xx < ow; xx++) dx[xr + xx / g.fw()] += dy[yr + xx];
                        }
                    }
            }
        });
    }
}
