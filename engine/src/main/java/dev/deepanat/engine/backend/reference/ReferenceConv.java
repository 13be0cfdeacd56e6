package dev.deepanat.engine.backend.reference;

import dev.deepanat.engine.backend.ConvGeometry;

/**
 * Direct 3D convolution by its definition (cross-correlation, as PyTorch and Keras), with double accumulators.
 * y[n,o,z,y,x] = b[o] + Σ_{c,i,j,k} x[n,c, z·sd+i−pd, y·sh+j−ph, x·sw+k−pw] · w[o,c,i,j,k], out-of-range x = 0.
 */
final class ReferenceConv {
    private ReferenceConv() {}

    static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y) {
        for (int n = 0; n < g.n(); n++)
            for (int o = 0; o < g.cOut(); o++)
                for (int oz = 0; oz < g.od(); oz++)
                    for (int oy = 0; oy < g.oh(); oy++)
                        for (int ox = 0; ox < g.ow(); ox++) {
                            double acc = bias == null ? 0 : bias[o];
                            for (int c = 0; c < g.cIn(); c++)
                                for (int i = 0; i < g.kd(); i++) {
                                    int iz = oz * g.sd() + i - g.pd();
                                    if (iz < 0 || iz >= g.d()) continue;
                                    for (int j = 0; j < g.kh(); j++) {
                                        int iy = oy * g.sh() + j - g.ph();
                                        if (iy < 0 || iy >= g.h()) continue;
                                        for (int k = 0; k < g.kw(); k++) {
                                            int ix = ox * g.sw() + k - g.pw();
                                            if (ix < 0 || ix >= g.w()) continue;
                                            acc += (double) x[xi(g, n, c, iz, iy, ix)] * w[wi(g, o, c, i, j, k)];
                                        }
                                    }
                                }
                            y[yi(g, n, o, oz, oy, ox)] = (float) acc;
                        }
    }

    static void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        double[] acc = new double[dx.length];
        for (int n = 0; n < g.n(); n++)
            for (int o = 0; o < g.cOut(); o++)
                for (int oz = 0; oz < g.od(); oz++)
                    for (int oy = 0; oy < g.oh(); oy++)
                        for (int ox = 0; ox < g.ow(); ox++) {
                            double gy = dy[yi(g, n, o, oz, oy, ox)];
                            for (int c = 0; c < g.cIn(); c++)
                                for (int i = 0; i < g.kd(); i++) {
                                    int iz = oz * g.sd() + i - g.pd();
                                    if (iz < 0 || iz >= g.d()) continue;
                                    for (int j = 0; j < g.kh(); j++) {
                                        int iy = oy * g.sh() + j - g.ph();
                                        if (iy < 0 || iy >= g.h()) continue;
                                        for (int k = 0; k < g.kw(); k++) {
                                            int ix = ox * g.sw() + k - g.pw();
                                            if (ix < 0 || ix >= g.w()) continue;
                                            acc[xi(g, n, c, iz, iy, ix)] += gy * w[wi(g, o, c, i, j, k)];
                                        }
                                    }
                                }
                        }
        for (int i = 0; i < dx.length && i < acc.length; i++) dx[i] = (float) acc[i];
    }

    static void backwardWeight(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] dbias) {
        double[] acc = new double[(int) g.weightSize()];
        double[] accB = new double[g.cOut()];
        for (int n = 0; n < g.n(); n++)
            for (int o = 0; o < g.cOut(); o++)
                for (int oz = 0; oz < g.od(); oz++)
                    for (int oy = 0; oy < g.oh(); oy++)
                        for (int ox = 0; ox < g.ow(); ox++) {
                            double gy = dy[yi(g, n, o, oz, oy, ox)];
                            accB[o] += gy;
                            for (int c = 0; c < g.cIn(); c++)
                                for (int i = 0; i < g.kd(); i++) {
                                    int iz = oz * g.sd() + i - g.pd();
                                    if (iz < 0 || iz >= g.d()) continue;
                                    for (int j = 0; j < g.kh(); j++) {
                                        int iy = oy * g.sh() + j - g.ph();
                                        if (iy < 0 || iy >= g.h()) continue;
                                        for (int k = 0; k < g.kw(); k++) {
                                            int ix = ox * g.sw() + k - g.pw();
                                            if (ix < 0 || ix >= g.w()) continue;
                                            acc[wi(g, o, c, i, j, k)] += gy * x[xi(g, n, c, iz, iy, ix)];
                                        }
                                    }
                                }
                        }
        for (int i = 0; i < acc.length; i++) dw[i] = (float) acc[i];
        if (dbias != null) for (int o = 0; o < g.cOut(); o++) dbias[o] = (float) accB[o];
    }

    private static int xi(ConvGeometry g, int n, int c, int z, int y, int x) {
        return (((n * g.cIn() + c) * g.d() + z) * g.h() + y) * g.w() + x;
    }

    private static int wi(ConvGeometry g, int o, int c, int i, int j, int k) {
        return (((o * g.cIn() + c) * g.kd() + i) * g.kh() + j) * g.kw() + k;
    }

    private static int yi(ConvGeometry g, int n, int o, int z, int y, int x) {
        return (((n * g.cOut() + o) * g.od() + z) * g.oh() + y) * g.ow() + x;
    }
}
