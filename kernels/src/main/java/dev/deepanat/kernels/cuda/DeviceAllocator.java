package dev.deepanat.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

import static dev.deepanat.kernels.cuda.Fn.LONG;
import static dev.deepanat.kernels.cuda.Fn.PTR;

/**
 * A caching allocator of device memory, as PyTorch's: blocks come from the device's stream-ordered pool
 * ({@code cuMemAllocAsync} on the backend's one stream, release threshold raised so the pool keeps what it has), and
 * a freed block goes into a free list of its {@link SizeClasses size class} at once, with no driver call; the next
 * request of that class takes it. All work runs in order on one stream, so a block freed by the host can be handed
 * out again before the kernels that used it have run: they are queued before the new user's. When the pool is out of
 * memory, the cache is emptied ({@code cuMemFreeAsync}, a stream synchronize, {@code cuMemPoolTrimTo}) and the
 * allocation retried once. Not thread-safe: the backend calls it under its lock.
 */
final class DeviceAllocator {
    private final Driver cu;
    private final MemorySegment stream, pool;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    long cachedBytes, reservedBytes;

    DeviceAllocator(Driver cu, int device, MemorySegment stream) {
        this.cu = cu;
        this.stream = stream;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(PTR);
            cu.call(Driver.cuDeviceGetDefaultMemPool, p, device);
            pool = p.get(PTR, 0);
            // cuuint64_t UINT64_MAX: the pool never gives memory back at a synchronize on its own
            cu.call(Driver.cuMemPoolSetAttribute, pool, Driver.CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, a.allocateFrom(LONG, -1L));
        }
    }

    /** A block of at least {@code bytes}: its address; {@code blockBytes} is {@link SizeClasses#classOf}(bytes). */
    long allocate(long bytes) {
        long cls = SizeClasses.classOf(bytes);
        ArrayDeque<Long> list = free.get(cls);
        if (list != null && !list.isEmpty()) {
            cachedBytes -= cls;
            return list.pop();
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(LONG);
            int r = cu.raw(Driver.cuMemAllocAsync, p, cls, stream);
            if (r == Driver.CUDA_ERROR_OUT_OF_MEMORY) {
                emptyCache();
                r = cu.raw(Driver.cuMemAllocAsync, p, cls, stream);
            }
            if (r != Driver.CUDA_SUCCESS)
                throw new CudaException("cuMemAllocAsync of " + cls + " bytes failed: " + cu.errorText(r) + " (reserved "
                        + reservedBytes + " bytes, cache emptied)");
            reservedBytes += cls;
            return p.get(LONG, 0);
        }
    }

    /** Takes a block back into its free list (no driver call). */
    void free(long ptr, long blockBytes) {
        free.computeIfAbsent(blockBytes, k -> new ArrayDeque<>()).push(ptr);
        cachedBytes += blockBytes;
    }

    /** Gives every cached block back to the pool and the pool's unused memory back to the driver. */
    void emptyCache() {
        for (Map.Entry<Long, ArrayDeque<Long>> e : free.entrySet())
            for (long p : e.getValue()) {
                cu.call(Driver.cuMemFreeAsync, p, stream);
                reservedBytes -= e.getKey();
            }
        free.clear();
        cachedBytes = 0;
        cu.call(Driver.cuStreamSynchronize, stream);
        cu.call(Driver.cuMemPoolTrimTo, pool, 0L);
    }
}
