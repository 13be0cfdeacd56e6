package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import dev.deepanat.engine.backend.ConvGeometry;

/**
 * dx = conv_transpose(dy, w), as stride-1 forward convolutions of dy ({@link ConvForward}).
 *
 * <p>Stride 1: the forward kernel applied to dy padded by (k − 1 − p) on each axis with the weights transposed
 * (in ↔ out) and flipped in space, dx[c, v] = Σ_(o,tap) w[o, c, taps−1−tap] · dy_pad[o, v + tap].
 *
 * <p>In-plane stride s (sh, sw; depth stride 1): dx splits into its s² phases, dx[c, s·a + r, s·b + r'], and each
 * phase is a stride-1 correlation of dy with the sub-kernel of the taps that reach it. Along one axis: input
 * s·a + r receives from output o and tap j when s·o + j − p = s·a + r, so j ≡ e = (r + p) mod s, j = s·t + e for
 * t ∈ [0, nk) with nk = ⌈(k − e)/s⌉, and o = a + q − t with q = (r + p − e)/s: a correlation with the flipped
 * sub-kernel (tap t' = nk − 1 − t), padding nk − 1 − q before, over the ⌈(h − r)/s⌉ inputs of the phase. For a
 * 3×3 stride-2 kernel the four phases use 2×2, 2×1, 1×2 and 1×1 sub-kernels: 9 taps in all, no multiply by a zero
 * tap (a zero-inserted dy would waste 3/4 of them). Each phase runs the full forward kernel (threads, blocking)
 * into a buffer that is then interleaved into dx.
 */
final class ConvBackwardData {
    private ConvBackwardData() {}

    /** One phase r of one axis: sub-kernel taps nk, first tap e, padding before pb, phase length len. */
    private record Phase(int r, int nk, int e, int pb, int len) {
        static Phase of(int r, int s, int k, int p, int size) {
            int e = Math.floorMod(r + p, s);
            int q = Math.floorDiv(r + p - e, s);
            int nk = e < k ? (k - e + s - 1) / s : 0;
            int len = r < size ? (size - r + s - 1) / s : 0;
            return new Phase(r, nk, e, nk - 1 - q, len);
        }

        /** The original tap of sub-kernel tap t (flipped). */
        int tap(int s, int t) {
            return s * (nk - 1 - t) + e;
        }
    }

    static boolean supports(ConvGeometry g) {
        if (!ConvForward.supports(g) || g.sd() != 1 || g.kd() - 1 - g.pd() < 0) return false;
        for (int r = 0; r < g.sh(); r++) {
            Phase p = Phase.of(r, g.sh(), g.kh(), g.ph(), g.h());
            if (p.nk() > 0 && p.pb() < 0) return false;
        }
        for (int r = 0; r < g.sw(); r++) {
            Phase p = Phase.of(r, g.sw(), g.kw(), g.pw(), g.w());
            if (p.nk() > 0 && p.pb() < 0) return false;
        }
        return true;
    }

    static void run(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        run(g, dy, w, dx, false);
    }

    /** With winograd, a 3×3×3 stride-1 case that {@link Winograd#use} takes runs there on the transformed kernel. */
    static void run(ConvGeometry g, float[] dy, float[] w, float[] dx, boolean winograd) {
        int sh = g.sh(), sw = g.sw();
        boolean strided = sh != 1 || sw != 1;
        for (int ry = 0; ry < sh; ry++)
            for (int rx = 0; rx < sw; rx++) {
                Phase py = Phase.of(ry, sh, g.kh(), g.ph(), g.h()), px = Phase.of(rx, sw, g.kw(), g.pw(), g.w());
                if (py.len() == 0 || px.len() == 0) continue;
                if (py.nk() == 0 || px.nk() == 0) {
                    if (strided) interleave(g, null, ry, rx, py.len(), px.len(), dx);
                    continue;
                }
                ConvGeometry t = new ConvGeometry(g.n(), g.cOut(), g.od(), g.oh(), g.ow(),
                        g.cIn(), g.kd(), py.nk(), px.nk(), 1, 1, 1,
                        g.kd() - 1 - g.pd(), py.pb(), px.pb(),
                        g.d(), py.len(), px.len());
                int subTaps = g.kd() * py.nk() * px.nk();
                int[] tapMap = new int[subTaps];
                for (int i = 0; i < g.kd(); i++)
                    for (int ty = 0; ty < py.nk(); ty++)
                        for (int tx = 0; tx < px.nk(); tx++)
                            tapMap[(i * py.nk() + ty) * px.nk() + tx] =
                                    ((g.kd() - 1 - i) * g.kh() + py.tap(sh, ty)) * g.kw() + px.tap(sw, tx);
                int k = g.cOut() * subTaps, taps = g.kd() * g.kh() * g.kw();
                if (winograd && !strided && Winograd.use(t)) {
                    float[] pack = Scratch.floats(Scratch.PACK, Winograd.packedSize(g.cIn(), g.cOut()));
                    Winograd.packWeights(w, g.cIn(), g.cOut(), taps, g.cIn() * taps, true, pack);
                    Winograd.run(t, dy, pack, null, dx, false);
                    continue;
                }
                boolean small = ConvSmall.use(t, g.cIn());
                float[] pack;
                if (small) {
                    pack = Scratch.floats(Scratch.PACK, ConvSmall.panels(g.cIn()) * ConvSmall.NP * k);
                    ConvSmall.packT(w, g.cOut(), g.cIn(), taps, tapMap, true, pack);
                } else {
                    pack = Scratch.floats(Scratch.PACK, ConvForward.packedSize(g.cIn(), k));
                    packTaps(w, g.cOut(), g.cIn(), taps, tapMap, pack);
                }
                float[] out = strided ? Scratch.floats(Scratch.TMP, (int) t.outputSize()) : dx;
                if (small) ConvSmall.forward(t, dy, pack, null, out);
                else ConvForward.run(t, dy, pack, null, out);
                if (strided) interleave(g, out, ry, rx, py.len(), px.len(), dx);
            }
    }

    /** dx[n, c, z, sh·a + ry, sw·b + rx] = buf[n, c, z, a, b] (0 when buf is null), for a &lt; ha, b &lt; wb. */
    private static void interleave(ConvGeometry g, float[] buf, int ry, int rx, int ha, int wb, float[] dx) {
        int planes = g.n() * g.cIn() * g.d(), h = g.h(), w = g.w(), sh = g.sh(), sw = g.sw();
        Parallel.forRange(planes, Math.max(1, 8192 / (ha * wb)), (lo, hi) -> {
            for (int pl = lo; pl < hi; pl++) {
                int src = pl * ha * wb, dst = pl * h * w + ry * w + rx;
                for (int a = 0; a < ha; a++, dst += sh * w) {
                    if (buf == null) for (int b = 0; b < wb; b++) dx[dst + b * sw] = 0f;
                    else for (int b = 0; b < wb; b++) dx[dst + b * sw] = buf[src++];
                }
            }
        });
    }

    /** pack[block of MR input channels][(o, t)][MR] = w[o, c, tapMap[t]] for the sub-kernel taps t. */
    static void packTaps(float[] w, int cOut, int cIn, int taps, int[] tapMap, float[] pack) {
        final int mr = ConvForward.MR;
        final int sub = tapMap.length;
        int k = cOut * sub;
        int blocks = (cIn + mr - 1) / mr;
        Parallel.forRange(blocks, 1, (lo, hi) -> {
            for (int cb = lo; cb < hi; cb++) {
                int base = cb * mr * k;
                for (int r = 0; r < mr; r++) {
                    int c = cb * mr + r;
                    for (int o = 0; o < cOut; o++) {
                        int wo = (o * cIn + c) * taps;
                        int po = base + o * sub * mr + r;
                        if (c < cIn) for (int t = 0; t < sub; t++) pack[po + t * mr] = w[wo + tapMap[t]];
                        else for (int t = 0; t < sub; t++) pack[po + t * mr] = 0f;
                    }
                }
            }
        });
    }
}
