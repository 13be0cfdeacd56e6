package dev.deepanat.kernels.cpu;

/**
 * Per-thread scratch buffers (padded input slabs, packed weights, partial sums), grown on demand and reused across
 * kernel calls, so that no hot loop allocates. Each slot is an independent buffer; a kernel uses distinct slots for
 * buffers that are alive at the same time.
 */
final class Scratch {
    static final int SLAB = 0, PACK = 1, TMP = 2, SHARED = 3, SLOTS = 4;

    private static final java.util.concurrent.atomic.AtomicLong BYTES = new java.util.concurrent.atomic.AtomicLong();
    private static final ThreadLocal<float[][]> BUFS = ThreadLocal.withInitial(() -> new float[SLOTS][]);

    private Scratch() {}

    /** Bytes held by every thread's scratch buffers. */
    static long bytes() {
        return BYTES.get();
    }

    /** A buffer of at least n floats; its contents are unspecified. */
    static float[] floats(int slot, int n) {
        float[][] b = BUFS.get();
        float[] a = b[slot];
        if (a == null || a.length < n) {
            int old = a == null ? 0 : a.length;
            a = new float[Math.max(n, old + old / 4)];
            BYTES.addAndGet(4L * (a.length - old));
            b[slot] = a;
        }
        return a;
    }
}
