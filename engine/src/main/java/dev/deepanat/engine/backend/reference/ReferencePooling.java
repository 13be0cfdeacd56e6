package dev.deepanat.engine.backend.reference;

import dev.deepanat.engine.backend.PoolGeometry;
import dev.deepanat.engine.backend.UpsampleGeometry;

/** Max pooling and nearest upsampling by their definitions. Ties in a pooling window go to the first maximum. */
final class ReferencePooling {
    private ReferencePooling() {}

    static void maxPool(PoolGeometry g, float[] x, float[] y) {
        forEachWindow(g, x, (yi, xi) -> y[yi] = x[xi]);
    }

    static void maxPoolBackward(PoolGeometry g, float[] x, float[] dy, float[] dx) {
        java.util.Arrays.fill(dx, 0f);
        forEachWindow(g, x, (yi, xi) -> dx[xi] += dy[yi]);
    }

    private interface WindowMax { void at(int yIndex, int xIndexOfMax); }

    private static void forEachWindow(PoolGeometry g, float[] x, WindowMax f) {
        int yi = 0;
        for (int nc = 0; nc < g.n() * g.c(); nc++) {
            int base = nc * g.d() * g.h() * g.w();
            for (int oz = 0; oz < g.od(); oz++)
                for (int oy = 0; oy < g.oh(); oy++)
                    for (int ox = 0; ox < g.ow(); ox++, yi++) {
                        int best = -1;
                        float bestV = Float.NEGATIVE_INFINITY;
                        for (int i = 0; i < g.kd(); i++)
                            for (int j = 0; j < g.kh(); j++)
                                for (int k = 0; k < g.kw(); k++) {
                                    int xi = base + ((oz * g.sd() + i) * g.h() + oy * g.sh() + j) * g.w() + ox * g.sw() + k;
                                    // NaN propagates, as in PyTorch: a NaN is taken as the maximum.
                                    if (best < 0 || x[xi] > bestV || Float.isNaN(x[xi]) && !Float.isNaN(bestV)) {
                                        best = xi;
                                        bestV = x[xi];
                                    }
                                }
                        f.at(yi, best);
                    }
        }
    }

    static void upsample(UpsampleGeometry g, float[] x, float[] y) {
        int oh = g.h() * g.fh(), ow = g.w() * g.fw(), od = g.d() * g.fd();
        int yi = 0;
        for (int nc = 0; nc < g.n() * g.c(); nc++)
            for (int z = 0; z < od; z++)
                for (int yy = 0; yy < oh; yy++)
                    for (int xx = 0; xx < ow; xx++, yi++)
                        y[yi] = x[((nc * g.d() + z / g.fd()) * g.h() + yy / g.fh()) * g.w() + xx / g.fw()];
    }

    static void upsampleBackward(UpsampleGeometry g, float[] dy, float[] dx) {
        java.util.Arrays.fill(dx, 0f);
        int oh = g.h() * g.fh(), ow = g.w() * g.fw(), od = g.d() * g.fd();
        int yi = 0;
        for (int nc = 0; nc < g.n() * g.c(); nc++)
            for (int z = 0; z < od; z++)
                for (int yy = 0; yy < oh; yy++)
                    for (int xx = 0; xx < ow; xx++, yi++)
                        dx[((nc * g.d() + z / g.fd()) * g.h() + yy / g.fh()) * g.w() + xx / g.fw()] += dy[yi];
    }
}
