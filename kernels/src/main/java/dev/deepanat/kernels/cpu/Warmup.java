package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import dev.deepanat.engine.backend.AdamStep;
import dev.deepanat.engine.backend.BinaryOp;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.PoolGeometry;
import dev.deepanat.engine.backend.UnaryOp;
import dev.deepanat.engine.backend.UpsampleGeometry;

/**
 * Runs the hot kernels on tiny shapes in a background daemon thread when the backend starts, so that C2 compiles the
 * Vector API micro-kernels before the first large layer arrives (until then they run as slow, allocating C1 code; the
 * first f=48 64³ training step took tens of seconds without this). Sequential and small, so it barely competes with
 * real work.
 *
 * <p>Off by default since the strided and small-plane conv kernels arrived: with it on, the f=48 64³ training step's
 * backward-weight ran 8-10× slower for a whole run in 5 runs out of 11 (30-38 s per step instead of 8), without it in
 * none of 6 (docs/performance.md); the cause, some JIT decision taken while this thread compiles the kernels on tiny
 * shapes, was not found. {@code -Ddeepanat.cpu.warmup=true} turns it on.
 */
final class Warmup {
    private Warmup() {}

    static void start() {
        if (!Boolean.parseBoolean(System.getProperty("deepanat.cpu.warmup", "false"))) return;
        Thread t = new Thread(() -> Parallel.sequential(Warmup::run), "deepanat-cpu-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    static void run() {
        ConvGeometry row = new ConvGeometry(1, 8, 3, 4, 48, 12, 3, 3, 3, 1, 1, 1, 1, 1, 1, 3, 4, 48);
        ConvGeometry flat = new ConvGeometry(1, 8, 3, 4, 4, 12, 3, 3, 3, 1, 1, 1, 1, 1, 1, 3, 4, 4);
        int n = (int) row.inputSize();
        float[] x = new float[n], y = new float[(int) row.outputSize()], dx = new float[n];
        float[] w = new float[(int) row.weightSize()], dw = new float[w.length], b = new float[12], db = new float[12];
        for (int i = 0; i < x.length; i++) x[i] = (i % 13) * 0.01f - 0.05f;
        for (int i = 0; i < w.length; i++) w[i] = (i % 7) * 0.01f - 0.03f;
        float[] pack = new float[ConvForward.packedSize(12, 8 * 27)];
        float[] m = new float[n], v = new float[n];
        PoolGeometry pool = new PoolGeometry(1, 8, 2, 4, 48, 2, 2, 2, 2, 2, 2, 1, 2, 24);
        UpsampleGeometry up = new UpsampleGeometry(1, 8, 1, 2, 24, 2, 2, 2);
        for (int it = 0; it < 400; it++) {
            for (ConvGeometry g : new ConvGeometry[] {row, flat}) {
                ConvForward.packWeights(w, 12, 8 * 27, pack);
                ConvForward.run(g, x, pack, b, y);
                ConvBackwardData.run(g, y, w, dx);
                ConvBackwardWeight.run(g, x, y, dw, db);
            }
            Elementwise.unary(UnaryOp.RELU, 0, 0, x, dx, n);
            Elementwise.unary(UnaryOp.STEP, 0, 0, x, dx, n);
            Elementwise.binary(BinaryOp.MUL, x, 0, new int[] {1}, dx, 0, new int[] {1}, new int[] {n}, m);
            Elementwise.binary(BinaryOp.ADD, x, 0, new int[] {1}, dx, 0, new int[] {1}, new int[] {n}, m);
            Elementwise.axpy(0.5f, x, m, n);
            Reductions.reduceSum(x, new int[] {n}, new int[] {1}, v);
            Pooling.maxPool(pool, x, v);
            Pooling.maxPoolBackward(pool, x, y, m);
            Pooling.upsample(up, x, m);
            Pooling.upsampleBackward(up, y, m);
            AdamKernel.run(new AdamStep(1e-4f, 0.9f, 0.999f, 1e-8f, 0f, it + 1), dw, w, m, v, w.length);
        }
    }
}
