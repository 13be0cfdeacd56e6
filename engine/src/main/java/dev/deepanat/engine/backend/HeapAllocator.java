package dev.deepanat.engine.backend;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The CPU backends' allocator: Java arrays, counted, with a small cache of freed arrays by exact length (kernels may
 * use {@code array.length}). A freed storage drops its array at once (see {@link HeapStorage#reclaim}); the array goes
 * to the cache, or to the garbage collector when the cache is full, the oldest cached arrays leaving first.
 *
 * <p>Why a bounded cache, measured (docs/performance.md, "Memory"): a hybrid-GAN step allocates the discriminator's
 * weight gradients (tens of MB) at each of its ~60 small steps, and without a cache 40 % of the step went into
 * allocating and collecting them; an unbounded cache, on the other hand, kept arrays of one U-Net level's size while
 * the step worked on others, and raised the f=48 64³ training step's peak RSS from 1665 to 2086 MiB.
 */
public final class HeapAllocator {
    private final long limit;
    private final Map<Integer, ArrayDeque<float[]>> bySize = new HashMap<>();
    /** Every cached array in the order it was freed (arrays hash by identity): O(1) removal on reuse and eviction. */
    private final LinkedHashSet<float[]> oldestFirst = new LinkedHashSet<>();
    private long cached, live, peak, allocations, frees, transfers, transferBytes, syncs;

    /** @param cacheLimitBytes the most freed memory kept for reuse (0: none) */
    public HeapAllocator(long cacheLimitBytes) {
        this.limit = cacheLimitBytes;
    }

    /** The default: 192 MiB, or an eighth of the maximum heap when that is smaller. */
    public static HeapAllocator withDefaultCache() {
        return new HeapAllocator(Math.min(192L << 20, Runtime.getRuntime().maxMemory() / 8));
    }

    /** An array of exactly n floats, zero-filled when asked (a fresh one always is). */
    public float[] allocate(int n, boolean zero) {
        float[] a = null;
        synchronized (this) {
            allocations++;
            live += 4L * n;
            peak = Math.max(peak, live);
            ArrayDeque<float[]> q = bySize.get(n);
            if (q != null && !q.isEmpty()) {
                a = q.pollLast(); // the most recently freed: likeliest still in cache
                oldestFirst.remove(a);
                cached -= 4L * n;
            }
        }
        if (a == null) return new float[n];
        if (zero) java.util.Arrays.fill(a, 0f);
        return a;
    }

    /** Takes back a freed storage's array: into the cache, evicting the oldest cached arrays beyond the limit. */
    public void free(HeapStorage s) {
        float[] a = s.reclaim();
        long bytes = 4L * a.length;
        synchronized (this) {
            frees++;
            live -= bytes;
            if (bytes > limit || a.length == 0) return;
            bySize.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(a);
            oldestFirst.add(a);
            cached += bytes;
            Iterator<float[]> oldest = oldestFirst.iterator();
            while (cached > limit) {
                float[] old = oldest.next();
                oldest.remove();
                bySize.get(old.length).removeFirstOccurrence(old); // the oldest of its size: at the head of its queue
                cached -= 4L * old.length;
            }
        }
    }

    public synchronized void emptyCache() {
        bySize.clear();
        oldestFirst.clear();
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
