package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.backend.AdamStep;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.BinaryOp;
import dev.deepanat.engine.backend.PoolGeometry;
import dev.deepanat.engine.backend.Storage;
import dev.deepanat.engine.backend.UnaryOp;
import dev.deepanat.engine.backend.UpsampleGeometry;
import dev.deepanat.engine.backend.View;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static dev.deepanat.kernels.cpu.CpuCheck.CPU;
import static dev.deepanat.kernels.cpu.CpuCheck.REF;
import static dev.deepanat.kernels.cpu.CpuCheck.close;
import static dev.deepanat.kernels.cpu.CpuCheck.exact;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Every non-convolution kernel of the cpu backend against the reference, with odd sizes and vector tails. */
class CpuKernelsTest {
    static final int[] SIZES = {1, 7, 16, 17, 33, 1000, 70001};

    @Test
    void isTheDefaultCpuBackend() {
        assertEquals("cpu", CPU.name());
        assertSame(CPU, dev.deepanat.engine.backend.Backends.host());
        assertSame(CPU, CPU.allocate(3).backend());
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unary(UnaryOp op) {
        SplittableRandom rng = new SplittableRandom(op.ordinal());
        for (int n : SIZES) {
            float[] x = CpuCheck.random(rng, n);
            for (int i = 0; i < n; i += 5) x[i] *= 4;
            if (n > 3) { x[1] = 0f; x[2] = -0f; }
            if (op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW) for (int i = 0; i < n; i++) x[i] = Math.abs(x[i]) + 0.1f;
            float a = op == UnaryOp.CLAMP || op == UnaryOp.CLAMP_MASK ? -0.3f : 0.7f, b = 0.5f;
            float[] r = un(REF, op, a, b, x), c = un(CPU, op, a, b, x);
            close(op + " n=" + n, r, c, 1e-6, 1e-7);
        }
    }

    private static float[] un(Backend be, UnaryOp op, float a, float b, float[] x) {
        Storage out = be.allocate(x.length);
        be.unary(op, a, b, be.upload(x), out, x.length);
        return be.download(out, 0, x.length);
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryWithBroadcasting(BinaryOp op) {
        int[][][] cases = {
                {{2, 3, 4, 5, 17}, {2, 3, 4, 5, 17}},   // same shape
                {{2, 3, 4, 5, 17}, {1, 3, 1, 1, 1}},    // per-channel, bias-like
                {{1, 3, 1, 1, 1}, {2, 3, 4, 5, 17}},    // per-channel on the left
                {{4, 33}, {1, 1}},                      // scalar
                {{1, 1}, {4, 33}},
                {{4, 1, 19}, {1, 5, 1}},                // outer product style
                {{3, 7, 18}, {7, 1}},                   // fewer leading dims, broadcast innermost
                {{100003}, {100003}},
        };
        SplittableRandom rng = new SplittableRandom(op.ordinal() + 10);
        for (int[][] c : cases) {
            int[] shape = Shapes.broadcast("test", c[0], c[1]);
            float[] x = CpuCheck.random(rng, (int) Shapes.numel(c[0])), y = CpuCheck.random(rng, (int) Shapes.numel(c[1]));
            if (op == BinaryOp.DIV) for (int i = 0; i < y.length; i++) y[i] += Math.signum(y[i]) * 0.5f;
            float[] r = bin(REF, op, x, c[0], y, c[1], shape), g = bin(CPU, op, x, c[0], y, c[1], shape);
            close(op + " " + Shapes.str(c[0]) + " " + Shapes.str(c[1]), r, g, 1e-6, 0);
        }
    }

    private static float[] bin(Backend be, BinaryOp op, float[] x, int[] xs, float[] y, int[] ys, int[] shape) {
        Storage out = be.allocate(Shapes.numel(shape));
        be.binary(op, broadcast(be.upload(x), xs, shape), broadcast(be.upload(y), ys, shape), out);
        return be.download(out, 0, (int) Shapes.numel(shape));
    }

    /** The view of a dense tensor of shape s broadcast to target (numpy rules; stride 0 on broadcast axes). */
    static View broadcast(Storage st, int[] s, int[] target) {
        int[] dense = Shapes.contiguousStrides(s);
        int[] strides = new int[target.length];
        int lead = target.length - s.length;
        for (int i = 0; i < target.length; i++) {
            int j = i - lead;
            strides[i] = j < 0 || s[j] == 1 ? 0 : dense[j];
        }
        return new View(st, 0, target.clone(), strides);
    }

    @Test
    void reduceSum() {
        int[][][] cases = {
                {{2, 3, 4, 5, 17}, {1, 1, 1, 1, 1}},
                {{2, 3, 4, 5, 17}, {1, 3, 1, 1, 1}},
                {{2, 3, 4, 5, 17}, {2, 1, 4, 1, 17}},
                {{2, 3, 4, 5, 17}, {2, 3, 4, 5, 1}},
                {{7, 33}, {1, 33}},
                {{300001}, {1}},
                {{3, 4}, {3, 4}},
        };
        SplittableRandom rng = new SplittableRandom(5);
        for (int[][] c : cases) {
            float[] x = CpuCheck.random(rng, (int) Shapes.numel(c[0]));
            float[][] out = new float[2][];
            Backend[] bes = {REF, CPU};
            for (int k = 0; k < 2; k++) {
                Storage o = bes[k].allocate(Shapes.numel(c[1]));
                bes[k].reduceSum(bes[k].upload(x), c[0], c[1], o);
                out[k] = bes[k].download(o, 0, (int) Shapes.numel(c[1]));
            }
            close("reduceSum " + Shapes.str(c[0]) + " -> " + Shapes.str(c[1]), out[0], out[1], 1e-5, 1e-5);
        }
    }

    @Test
    void stridedCopyConcatPermuteAndExpand() {
        SplittableRandom rng = new SplittableRandom(6);
        // concat along channels: source [2,3,4,5,6] into the channel window [3,6) of a [2,7,4,5,6] buffer
        int[] src = {2, 3, 4, 5, 6};
        float[] x = CpuCheck.random(rng, (int) Shapes.numel(src));
        int[] full = {2, 7, 4, 5, 6};
        int[] fs = Shapes.contiguousStrides(full);
        float[][] out = new float[2][];
        Backend[] bes = {REF, CPU};
        for (int k = 0; k < 2; k++) {
            Storage d = bes[k].allocate(Shapes.numel(full));
            bes[k].copy(View.contiguous(bes[k].upload(x), src), new View(d, 3L * fs[1], src, fs));
            out[k] = bes[k].download(d, 0, (int) Shapes.numel(full));
        }
        exact("concat", out[0], out[1]);
        // permute [4, 5, 33] -> [33, 4, 5] and a broadcast expand [1, 5, 1] -> [4, 5, 33]
        int[] s3 = {4, 5, 33};
        float[] y = CpuCheck.random(rng, 4 * 5 * 33);
        int[] st = Shapes.contiguousStrides(s3);
        for (int k = 0; k < 2; k++) {
            Storage d = bes[k].allocate(4 * 5 * 33);
            bes[k].copy(new View(bes[k].upload(y), 0, new int[] {33, 4, 5}, new int[] {st[2], st[0], st[1]}),
                    View.contiguous(d, 33, 4, 5));
            out[k] = bes[k].download(d, 0, 4 * 5 * 33);
        }
        exact("permute", out[0], out[1]);
        float[] z = CpuCheck.random(rng, 5);
        for (int k = 0; k < 2; k++) {
            Storage d = bes[k].allocate(4 * 5 * 33);
            bes[k].copy(broadcast(bes[k].upload(z), new int[] {1, 5, 1}, s3), View.contiguous(d, s3));
            out[k] = bes[k].download(d, 0, 4 * 5 * 33);
        }
        exact("expand", out[0], out[1]);
    }

    @Test
    void axpyScaleAndAdam() {
        SplittableRandom rng = new SplittableRandom(8);
        for (int n : SIZES) {
            float[] x = CpuCheck.random(rng, n), y = CpuCheck.random(rng, n);
            float[][] r = new float[2][];
            Backend[] bes = {REF, CPU};
            for (int k = 0; k < 2; k++) {
                Storage ys = bes[k].upload(y);
                bes[k].axpy(-0.37f, bes[k].upload(x), ys, n);
                bes[k].scale(1.7f, ys, n);
                r[k] = bes[k].download(ys, 0, n);
            }
            close("axpy+scale n=" + n, r[0], r[1], 1e-6, 0);
            float[] p = CpuCheck.random(rng, n), g = CpuCheck.random(rng, n), m = CpuCheck.random(rng, n), v = CpuCheck.random(rng, n);
            for (int i = 0; i < n; i++) v[i] = Math.abs(v[i]);
            float[][] pr = new float[2][], mr = new float[2][], vr = new float[2][];
            for (int k = 0; k < 2; k++) {
                Storage ps = bes[k].upload(p), ms = bes[k].upload(m), vs = bes[k].upload(v), gs = bes[k].upload(g);
                for (int step = 1; step <= 3; step++)
                    bes[k].adam(new AdamStep(1e-3f, 0.9f, 0.999f, 1e-8f, step == 2 ? 0.01f : 0f, step), ps, gs, ms, vs, n);
                pr[k] = bes[k].download(ps, 0, n);
                mr[k] = bes[k].download(ms, 0, n);
                vr[k] = bes[k].download(vs, 0, n);
            }
            close("adam p n=" + n, pr[0], pr[1], 1e-6, 1e-7);
            close("adam m n=" + n, mr[0], mr[1], 1e-6, 0);
            close("adam v n=" + n, vr[0], vr[1], 1e-6, 0);
        }
    }

    @Test
    void gemmAllTranspositions() {
        SplittableRandom rng = new SplittableRandom(9);
        int[][] dims = {{1, 1, 1}, {5, 17, 3}, {33, 40, 19}, {16, 16, 16}};
        for (int[] d : dims)
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                int m = d[0], n = d[1], k = d[2];
                float[] a = CpuCheck.random(rng, m * k + 3), b = CpuCheck.random(rng, k * n + 2), c = CpuCheck.random(rng, m * n + 1);
                for (float beta : new float[] {0f, 0.5f}) {
                    float[][] r = new float[2][];
                    Backend[] bes = {REF, CPU};
                    for (int q = 0; q < 2; q++) {
                        Storage cs = bes[q].upload(c);
                        bes[q].gemm(ta, tb, m, n, k, bes[q].upload(a), 3, bes[q].upload(b), 2, beta, cs, 1);
                        r[q] = bes[q].download(cs, 0, c.length);
                    }
                    close("gemm " + m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb + " beta=" + beta, r[0], r[1]);
                }
            }
    }

    @Test
    void maxPoolAndUpsample() {
        SplittableRandom rng = new SplittableRandom(11);
        PoolGeometry[] pools = {
                new PoolGeometry(2, 3, 8, 6, 10, 2, 2, 2, 2, 2, 2, 4, 3, 5),
                new PoolGeometry(1, 2, 7, 5, 9, 2, 2, 2, 2, 2, 2, 3, 2, 4),     // floor mode, odd sizes
                new PoolGeometry(1, 2, 1, 9, 9, 1, 3, 3, 1, 2, 2, 1, 4, 4),     // 2D, overlapping 3×3 stride 2
        };
        Backend[] bes = {REF, CPU};
        for (PoolGeometry g : pools) {
            int in = g.n() * g.c() * g.d() * g.h() * g.w(), out = (int) g.outputSize();
            float[] x = CpuCheck.random(rng, in), dy = CpuCheck.random(rng, out);
            for (int i = 0; i < in; i += 7) x[i] = 0.25f;   // ties
            x[3] = Float.NaN;
            float[][] y = new float[2][], dx = new float[2][];
            for (int k = 0; k < 2; k++) {
                Storage ys = bes[k].allocate(out), dxs = bes[k].allocate(in), xs = bes[k].upload(x);
                bes[k].maxPool3d(g, xs, ys);
                bes[k].maxPool3dBackward(g, xs, bes[k].upload(dy), dxs);
                y[k] = bes[k].download(ys, 0, out);
                dx[k] = bes[k].download(dxs, 0, in);
            }
            exact("maxPool " + g, y[0], y[1]);
            close("maxPoolBackward " + g, dx[0], dx[1], 1e-6, 0);
        }
        UpsampleGeometry[] ups = {new UpsampleGeometry(2, 3, 3, 4, 5, 2, 2, 2), new UpsampleGeometry(1, 2, 1, 5, 7, 1, 3, 2)};
        for (UpsampleGeometry g : ups) {
            int in = (int) g.inputSize(), out = in * g.fd() * g.fh() * g.fw();
            float[] x = CpuCheck.random(rng, in), dy = CpuCheck.random(rng, out);
            float[][] y = new float[2][], dx = new float[2][];
            for (int k = 0; k < 2; k++) {
                Storage ys = bes[k].allocate(out), dxs = bes[k].allocate(in);
                bes[k].upsampleNearest3d(g, bes[k].upload(x), ys);
                bes[k].upsampleNearest3dBackward(g, bes[k].upload(dy), dxs);
                y[k] = bes[k].download(ys, 0, out);
                dx[k] = bes[k].download(dxs, 0, in);
            }
            exact("upsample " + g, y[0], y[1]);
            close("upsampleBackward " + g, dx[0], dx[1], 1e-6, 1e-7);
        }
    }
}
