package dev.deepanat.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static dev.deepanat.kernels.cuda.Fn.PTR;

/**
 * Page-locked host buffers ({@code cuMemHostAlloc}) through which every transfer goes, so that copies are true DMA and
 * {@code cuMemcpy*Async} is asynchronous. Every transfer takes an idle buffer (the smallest that fits, or a new one)
 * that stays busy until the next stream synchronize, when {@link #finishDownloads} gives them all back. An upload
 * copies its source into its buffer first (copyIn has read its source when it returns) and queues the DMA; it waits
 * for nothing unless more than {@link #UPLOADS_IN_FLIGHT} bytes of uploads are in flight, when it waits for them (the
 * event after the last one) and takes their buffers back. A download queues the device-to-host copy; the data move
 * from the pinned buffer to the caller's memory at {@link #finishDownloads}, so {@code copyOut} never waits.
 */
final class PinnedStaging implements AutoCloseable {
    static final long CHUNK = 32L << 20;
    /** Bytes of pinned upload buffers in flight before an upload waits for them (and reuses their buffers). */
    static final long UPLOADS_IN_FLIGHT = 256L << 20;

    private record Pending(MemorySegment pinned, MemorySegment dst, long bytes) {}

    private final Driver cu;
    private final MemorySegment stream, uploadDone;
    private final List<MemorySegment> idle = new ArrayList<>(), uploading = new ArrayList<>();
    private final List<Pending> pending = new ArrayList<>();
    private long uploadingBytes;
    long pinnedBytes;

    PinnedStaging(Driver cu, MemorySegment stream) {
        this.cu = cu;
        this.stream = stream;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = a.allocate(PTR);
            cu.call(Driver.cuEventCreate, e, Driver.CU_EVENT_DISABLE_TIMING);
            uploadDone = e.get(PTR, 0);
        }
    }

    private MemorySegment hostAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(PTR);
            cu.call(Driver.cuMemHostAlloc, p, bytes, 0);
            pinnedBytes += bytes;
            return p.get(PTR, 0).reinterpret(bytes);
        }
    }

    private void hostFree(MemorySegment m) {
        cu.call(Driver.cuMemFreeHost, m);
        pinnedBytes -= m.byteSize();
    }

    /** An idle pinned buffer of at least {@code bytes} (the smallest there is), or a new one. */
    private MemorySegment take(long bytes) {
        int best = -1;
        for (int i = 0; i < idle.size(); i++)
            if (idle.get(i).byteSize() >= bytes && (best < 0 || idle.get(i).byteSize() < idle.get(best).byteSize())) best = i;
        return best >= 0 ? idle.remove(best) : hostAlloc(Math.max(bytes, 4096));
    }

    /** Host bytes → device address, in chunks, each through a pinned buffer of its own. */
    void upload(MemorySegment src, long dstPtr, long bytes) {
        for (long done = 0; done < bytes; done += CHUNK) {
            long len = Math.min(CHUNK, bytes - done);
            if (!uploading.isEmpty() && uploadingBytes + len > UPLOADS_IN_FLIGHT) {
                cu.call(Driver.cuEventSynchronize, uploadDone); // recorded after the last upload: every upload has left its buffer
                idle.addAll(uploading);
                uploading.clear();
                uploadingBytes = 0;
            }
            MemorySegment buf = take(len);
            MemorySegment.copy(src, done, buf, 0, len);
            cu.call(Driver.cuMemcpyHtoDAsync, dstPtr + done, buf, len, stream);
            cu.call(Driver.cuEventRecord, uploadDone, stream);
            uploading.add(buf);
            uploadingBytes += buf.byteSize();
        }
    }

    /** Device address → host memory dst, completed by {@link #finishDownloads} after the stream's synchronize. */
    void download(long srcPtr, MemorySegment dst, long bytes) {
        MemorySegment buf = take(bytes);
        cu.call(Driver.cuMemcpyDtoHAsync, buf, srcPtr, bytes, stream);
        pending.add(new Pending(buf, dst, bytes));
    }

    /** After a stream synchronize: moves every finished download to its destination; every buffer is idle again. */
    void finishDownloads() {
        for (Pending p : pending) {
            MemorySegment.copy(p.pinned(), 0, p.dst(), 0, p.bytes());
            idle.add(p.pinned());
        }
        pending.clear();
        idle.addAll(uploading);
        uploading.clear();
        uploadingBytes = 0;
    }

    /** Frees the idle buffers (on emptyCache; those in flight stay). */
    void trim() {
        for (MemorySegment m : idle) hostFree(m);
        idle.clear();
    }

    /** After a stream synchronize: frees every buffer and the event. */
    @Override
    public void close() {
        finishDownloads();
        trim();
        cu.call(Driver.cuEventDestroy, uploadDone);
    }
}
