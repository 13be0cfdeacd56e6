package dev.deepanat.engine.backend;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU backends' allocator: float arrays cached by exact length, so that a training step, which allocates the same
 * sizes every time, reuses the arrays the previous step freed instead of leaving them to the garbage collector (which
 * would let the heap, and the resident memory, grow to several steps' worth). Exact lengths because kernels may use
 * {@code array.length}. The cache holds at most {@link #cacheLimitBytes} and is emptied when an allocation fails, as
 * PyTorch's caching allocator frees its cache and retries when cudaMalloc fails.
 */
public final class HeapAllocator {
    private final Map<Integer, ArrayDeque<float[]>> cache = new HashMap<>();
    private final long cacheLimitBytes;
    private long cached, live, peak, allocations, frees, transfers, transferBytes, syncs;

    public HeapAllocator(long cacheLimitBytes) {
        this.cacheLimitBytes = cacheLimitBytes;
    }

    /** A cache of a quarter of the maximum heap. */
    public static HeapAllocator sizedToHeap() {
        return new HeapAllocator(Runtime.getRuntime().maxMemory() / 4);
    }

    /** An array of exactly n floats: zero-filled when asked, otherwise with whatever a freed tensor left in it. */
    public float[] allocate(int n, boolean zero) {
        float[] a;
        synchronized (this) {
            ArrayDeque<float[]> q = cache.get(n);
            a = q == null ? null : q.pollLast();
            if (a != null) cached -= 4L * n;
            allocations++;
            live += 4L * n;
            peak = Math.max(peak, live);
        }
        if (a != null) {
            if (zero) java.util.Arrays.fill(a, 0f);
            return a;
        }
        try {
            return new float[n];
        } catch (OutOfMemoryError e) {
            emptyCache();
            return new float[n];
        }
    }

    /** Takes back a freed storage's array. */
    public void free(HeapStorage s) {
        float[] a = s.reclaim();
        long bytes = 4L * a.length;
        synchronized (this) {
            frees++;
            live -= bytes;
            if (cached + bytes > cacheLimitBytes || a.length == 0) return;
            cache.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(a);
            cached += bytes;
        }
    }

    public synchronized void emptyCache() {
        cache.clear();
        cached = 0;
    }

    public synchronized void countTransfer(long floats) {
        transfers++;
        transferBytes += 4 * floats;
    }

    public synchronized void countSync() {
        syncs++;
    }

    public synchronized void resetPeak() {
        peak = live;
    }

    public synchronized MemoryStats stats(long scratchBytes) {
        return new MemoryStats(allocations, frees, live, peak, cached, scratchBytes, transfers, transferBytes, syncs);
    }
}
