package dev.deepanat.engine;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one shared thread pool of the process and its parallel-for, used by the CPU kernels, the tensor fit and the
 * phantom alike, so that nothing over-subscribes the cores. The number of threads is the system property
 * {@code deepanat.threads} (read on each call, so {@code deepanat bench --threads N} can set it before the first
 * kernel), else the number of available processors. The calling thread works too, so the pool holds threads − 1
 * workers. A parallel-for started inside another one runs sequentially: no nested over-subscription.
 */
public final class Parallel {
    /** A body over the index range [lo, hi). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int lo, int hi);
    }

    private static ForkJoinPool pool;
    private static int poolThreads;
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Parallel() {}

    /** The number of threads kernels use. */
    public static int threads() {
        String p = System.getProperty("deepanat.threads");
        if (p != null && !p.isBlank()) {
            try {
                int t = Integer.parseInt(p.trim());
                if (t >= 1) return t;
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static synchronized ForkJoinPool pool(int threads) {
        if (pool == null || poolThreads != threads) {
            if (pool != null) pool.shutdown();
            ForkJoinPool.ForkJoinWorkerThreadFactory f = fjp -> {
                ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(fjp);
                t.setDaemon(true);
                t.setName("deepanat-cpu-" + t.getPoolIndex());
                return t;
            };
            pool = new ForkJoinPool(Math.max(1, threads - 1), f, null, false);
            poolThreads = threads;
        }
        return pool;
    }

    /**
     * Runs body over [0, n) split into chunks of about {@code grain} indices, handed out dynamically to the
     * threads. Runs inline when n is small, one thread is configured, or when called from inside a parallel region.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        forRange(threads(), n, grain, body);
    }

    /** {@link #forRange(int, int, RangeBody)} with an explicit number of threads (e.g. a command's --threads). */
    public static void forRange(int threads, int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int g = Math.max(1, grain);
        int t = Math.max(1, threads);
        int[] depth = DEPTH.get();
        if (t <= 1 || n <= g || depth[0] > 0 || ForkJoinTask.inForkJoinPool()) {
            depth[0]++;
            try {
                body.run(0, n);
            } finally {
                depth[0]--;
            }
            return;
        }
        int chunks = (n + g - 1) / g;
        int workers = Math.min(t, chunks);
        AtomicInteger next = new AtomicInteger();
        Runnable work = () -> {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                int lo = c * g;
                body.run(lo, Math.min(n, lo + g));
            }
        };
        ForkJoinPool fjp = pool(t);
        ForkJoinTask<?>[] fs = new ForkJoinTask<?>[workers - 1];
        for (int i = 0; i < fs.length; i++) fs[i] = fjp.submit(work);
        depth[0]++;
        try {
            work.run();
        } finally {
            depth[0]--;
            for (ForkJoinTask<?> f : fs) f.join();
        }
    }

    /** Runs r on this thread with every parallel-for inside it sequential. */
    public static void sequential(Runnable r) {
        int[] depth = DEPTH.get();
        depth[0]++;
        try {
            r.run();
        } finally {
            depth[0]--;
        }
    }

    /** Splits [0, n) into about {@code parts × threads} chunks (at least minGrain each) and runs them in parallel. */
    public static void forEven(int n, int minGrain, RangeBody body) {
        int t = threads();
        int grain = Math.max(Math.max(1, minGrain), (n + 4 * t - 1) / (4 * t));
        forRange(n, grain, body);
    }

    /** Runs body(i) for every i in [0, n), one index per chunk (for coarse work items such as slices). */
    public static void forEach(int n, java.util.function.IntConsumer body) {
        forRange(n, 1, (lo, hi) -> {
            for (int i = lo; i < hi; i++) body.accept(i);
        });
    }
}
