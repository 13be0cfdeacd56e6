package dev.deepanat.profile;

import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Storage;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.DoubleSupplier;

/**
 * The two ceilings of a roofline, measured: FLOP/s and streaming bytes/s.
 * <ul>
 *   <li>On the CPU: the conv micro-kernel's shape (6 broadcasts × 3 vectors, 18 accumulators over L1-resident operands,
 *       as {@code benchmarks/FmaPeakBench.microKernel6x3}) on every thread at once, and a triad a = b + s·c over three
 *       64 MiB arrays split over the threads (12 bytes per element: two reads, one write; write-allocate not counted).
 *   <li>On another device, through the backend's own kernels: a 4096³ gemm (the attainable dense peak, not the data
 *       sheet's) and axpy y += a·x over 64 Mi floats (12 bytes per element) — the same triad.
 * </ul>
 * Each figure is the best of several repetitions, so a loaded machine lowers it less than a mean would.
 */
public final class PeakKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length(), K = 256;
    /** Steps of {@link #microKernel}. */
    public static final int FMA_K = K;

    private PeakKernels() {}

    /** {GFLOP/s, GB/s} of backend be; the cpu kind measures the JVM's vector FMA and triad directly. */
    public static double[] measure(Backend be, int threads) {
        if (be.device().kind().equals("cpu")) return new double[] {cpuFma(threads), cpuTriad(threads)};
        return new double[] {deviceGemm(be), deviceAxpy(be)};
    }

    static double cpuFma(int threads) {
        float[] a = new float[K * 6], b = new float[K * 3 * VL];
        for (int i = 0; i < a.length; i++) a[i] = 1e-3f * (i % 7);
        for (int i = 0; i < b.length; i++) b[i] = 1e-3f * (i % 5);
        double flopPerCall = (double) K * 18 * 2 * VL;
        int calls = 50_000;
        for (int i = 0; i < 20_000; i++) microKernel(a, b); // compiled by C2 before it is timed
        return bestOf(5, () -> {
            long t0 = System.nanoTime();
            parallel(threads, t -> {
                float sink = 0;
                for (int i = 0; i < calls; i++) sink += microKernel(a, b);
                return sink;
            });
            return flopPerCall * calls * threads / (System.nanoTime() - t0);
        });
    }

    static double cpuTriad(int threads) {
        int n = 16 << 20;
        float[] a = new float[n], b = new float[n], c = new float[n];
        java.util.Arrays.fill(b, 1f);
        java.util.Arrays.fill(c, 2f);
        int chunk = (n / threads) / VL * VL;
        return bestOf(6, () -> {
            long t0 = System.nanoTime();
            parallel(threads, t -> {
                int from = t * chunk, to = t == threads - 1 ? n : from + chunk;
                triad(a, b, c, 0.5f, from, to);
                return 0f;
            });
            return 12.0 * n / (System.nanoTime() - t0);
        });
    }

    static double deviceGemm(Backend be) {
        int n = 4096;
        Storage a = be.allocate((long) n * n), b = be.allocate((long) n * n), c = be.allocate((long) n * n);
        try {
            be.fill(a, 1e-3f);
            be.fill(b, 1e-3f);
            be.gemm(false, false, n, n, n, a, 0, b, 0, 0f, c, 0);
            be.synchronize();
            return bestOf(5, () -> {
                long t0 = System.nanoTime();
                be.gemm(false, false, n, n, n, a, 0, b, 0, 0f, c, 0);
                be.synchronize();
                return 2.0 * n * n * n / (System.nanoTime() - t0);
            });
        } finally {
            a.free();
            b.free();
            c.free();
        }
    }

    static double deviceAxpy(Backend be) {
        long n = 64L << 20;
        Storage x = be.allocate(n), y = be.allocate(n);
        try {
            be.axpy(1e-3f, x, y, n);
            be.synchronize();
            return bestOf(8, () -> {
                long t0 = System.nanoTime();
                be.axpy(1e-3f, x, y, n);
                be.synchronize();
                return 12.0 * n / (System.nanoTime() - t0);
            });
        } finally {
            x.free();
            y.free();
        }
    }

    private interface Task {
        float run(int thread) throws Exception;
    }

    private static void parallel(int threads, Task task) {
        try (ExecutorService ex = Executors.newFixedThreadPool(threads)) {
            List<Future<Float>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                fs.add(ex.submit((Callable<Float>) () -> task.run(id)));
            }
            float sink = 0;
            for (Future<Float> f : fs) sink += f.get();
            if (sink == 42.4242f) System.out.print(""); // keeps the results alive
        } catch (Exception e) {
            throw new IllegalStateException("peak measurement failed: " + e, e);
        }
    }

    private static double bestOf(int reps, DoubleSupplier once) {
        double best = 0;
        for (int r = 0; r < reps; r++) best = Math.max(best, once.getAsDouble());
        return best;
    }

    private static void triad(float[] a, float[] b, float[] c, float s, int from, int to) {
        int i = from, upper = from + S.loopBound(to - from);
        FloatVector vs = FloatVector.broadcast(S, s);
        for (; i < upper; i += VL)
            FloatVector.fromArray(S, c, i).fma(vs, FloatVector.fromArray(S, b, i)).intoArray(a, i);
        for (; i < to; i++) a[i] = b[i] + s * c[i];
    }

    /**
     * 6 broadcast weights × 3 vectors per step, 18 accumulators: the conv forward kernel's inner loop, over
     * {@code a} of {@code 6·FMA_K} weights and {@code b} of {@code 3·FMA_K} vectors; {@code FMA_K·18·2·VL} FLOP a call.
     * The FMA peak here and {@code benchmarks/FmaPeakBench.microKernel6x3} run this one method.
     */
    public static float microKernel(float[] a, float[] b) {
        {
            FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
            FloatVector c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
            FloatVector c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
            for (int k = 0, ai = 0; k < K; k++, ai += 6) {
                int bo = k * 3 * VL;
                FloatVector b0 = FloatVector.fromArray(S, b, bo), b1 = FloatVector.fromArray(S, b, bo + VL),
                        b2 = FloatVector.fromArray(S, b, bo + 2 * VL);
                FloatVector w = FloatVector.broadcast(S, a[ai]);
                c00 = w.fma(b0, c00); c01 = w.fma(b1, c01); c02 = w.fma(b2, c02);
                w = FloatVector.broadcast(S, a[ai + 1]);
                c10 = w.fma(b0, c10); c11 = w.fma(b1, c11); c12 = w.fma(b2, c12);
                w = FloatVector.broadcast(S, a[ai + 2]);
                c20 = w.fma(b0, c20); c21 = w.fma(b1, c21); c22 = w.fma(b2, c22);
                w = FloatVector.broadcast(S, a[ai + 3]);
                c30 = w.fma(b0, c30); c31 = w.fma(b1, c31); c32 = w.fma(b2, c32);
                w = FloatVector.broadcast(S, a[ai + 4]);
                c40 = w.fma(b0, c40); c41 = w.fma(b1, c41); c42 = w.fma(b2, c42);
                w = FloatVector.broadcast(S, a[ai + 5]);
                c50 = w.fma(b0, c50); c51 = w.fma(b1, c51); c52 = w.fma(b2, c52);
            }
            return c00.add(c01).add(c02).add(c10).add(c11).add(c12).add(c20).add(c21).add(c22).add(c30).add(c31).add(c32)
                    .add(c40).add(c41).add(c42).add(c50).add(c51).add(c52).lane(0);
        }
    }
}
