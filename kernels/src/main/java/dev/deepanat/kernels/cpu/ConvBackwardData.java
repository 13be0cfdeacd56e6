package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import dev.deepanat.engine.backend.ConvGeometry;

/**
 * dx = conv_transpose(dy, w) for stride 1: the forward kernel applied to dy padded by (k − 1 − p) on each axis with
 * the weights transposed (in ↔ out) and flipped in space, dx[c, v] = Σ_(o,tap) w[o, c, taps−1−tap] · dy_pad[o, v + tap].
 */
final class ConvBackwardData {
    private ConvBackwardData() {}

    static boolean supports(ConvGeometry g) {
        return ConvForward.supports(g) && g.kd() - 1 - g.pd() >= 0 && g.kh() - 1 - g.ph() >= 0 && g.kw() - 1 - g.pw() >= 0;
    }

    /** The forward geometry that computes dx from dy. */
    static ConvGeometry transposed(ConvGeometry g) {
        return new ConvGeometry(g.n(), g.cOut(), g.od(), g.oh(), g.ow(),
                g.cIn(), g.kd(), g.kh(), g.kw(), 1, 1, 1,
                g.kd() - 1 - g.pd(), g.kh() - 1 - g.ph(), g.kw() - 1 - g.pw(),
                g.d(), g.h(), g.w());
    }

    static void run(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        ConvGeometry t = transposed(g);
        int taps = g.kd() * g.kh() * g.kw();
        int k = g.cOut() * taps;
        float[] pack = Scratch.floats(Scratch.PACK, ConvForward.packedSize(g.cIn(), k));
        packFlipped(w, g.cOut(), g.cIn(), taps, pack);
        ConvForward.run(t, dy, pack, null, dx);
    }

    /** pack[block of MR input channels][(o, tap)][MR] = w[o, c, taps − 1 − tap]. */
    static void packFlipped(float[] w, int cOut, int cIn, int taps, float[] pack) {
        final int mr = ConvForward.MR;
        int k = cOut * taps;
        int blocks = (cIn + mr - 1) / mr;
        Parallel.forRange(blocks, 1, (lo, hi) -> {
            for (int cb = lo; cb < hi; cb++) {
                int base = cb * mr * k;
                for (int r = 0; r < mr; r++) {
                    int c = cb * mr + r;
                    for (int o = 0; o < cOut; o++) {
                        int wo = (o * cIn + c) * taps + taps - 1;
                        int po = base + o * taps * mr + r;
                        if (c < cIn) for (int tap = 0; tap < taps; tap++) pack[po + tap * mr] = w[wo - tap];
                        else for (int tap = 0; tap < taps; tap++) pack[po + tap * mr] = 0f;
                    }
                }
            }
        });
    }
}
