package dev.deepanat.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static dev.deepanat.kernels.cuda.Fn.PTR;

/**
 * Page-locked host buffers ({@code cuMemHostAlloc}) through which every transfer goes, so that copies are true DMA and
 * {@code cuMemcpy*Async} is asynchronous. Uploads use one buffer, reused after the event of its previous copy
 * (copyIn has read its source when it returns: the source is copied into the buffer first). Downloads take a buffer
 * each, queue the device-to-host copy, and are finished by {@link #finishDownloads} after the stream synchronize:
 * the data move from the pinned buffer to the caller's memory there, so {@code copyOut} itself never waits.
 */
final class PinnedStaging implements AutoCloseable {
    static final long CHUNK = 32L << 20;

    private record Pending(MemorySegment pinned, MemorySegment dst, long bytes) {}

    private final Driver cu;
    private final MemorySegment stream, uploadDone;
    private MemorySegment upload = MemorySegment.NULL;
    private boolean uploadInFlight;
    private final List<MemorySegment> idle = new ArrayList<>();
    private final List<Pending> pending = new ArrayList<>();
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

    /** Host bytes → device address, in chunks through the upload buffer. */
    void upload(MemorySegment src, long dstPtr, long bytes) {
        for (long done = 0; done < bytes; done += CHUNK) {
            long len = Math.min(CHUNK, bytes - done);
            if (uploadInFlight) cu.call(Driver.cuEventSynchronize, uploadDone); // the previous chunk has left the buffer
            if (upload.byteSize() < len) {
                if (!upload.equals(MemorySegment.NULL)) hostFree(upload);
                upload = hostAlloc(Math.max(len, Math.min(CHUNK, 2 * upload.byteSize())));
            }
            MemorySegment.copy(src, done, upload, 0, len);
            cu.call(Driver.cuMemcpyHtoDAsync, dstPtr + done, upload, len, stream);
            cu.call(Driver.cuEventRecord, uploadDone, stream);
            uploadInFlight = true;
        }
    }

    /** Device address → host memory dst, completed by {@link #finishDownloads} after the stream's synchronize. */
    void download(long srcPtr, MemorySegment dst, long bytes) {
        MemorySegment buf = null;
        for (int i = 0; i < idle.size(); i++)
            if (idle.get(i).byteSize() >= bytes) {
                buf = idle.remove(i);
                break;
            }
        if (buf == null) buf = hostAlloc(Math.max(bytes, 4096));
        cu.call(Driver.cuMemcpyDtoHAsync, buf, srcPtr, bytes, stream);
        pending.add(new Pending(buf, dst, bytes));
    }

    /** After a stream synchronize: moves every finished download to its destination. */
    void finishDownloads() {
        for (Pending p : pending) {
            MemorySegment.copy(p.pinned(), 0, p.dst(), 0, p.bytes());
            idle.add(p.pinned());
        }
        pending.clear();
        uploadInFlight = false;
    }

    /** Frees the idle download buffers (on emptyCache). */
    void trim() {
        for (MemorySegment m : idle) hostFree(m);
        idle.clear();
    }

    @Override
    public void close() {
        trim();
        if (!upload.equals(MemorySegment.NULL)) hostFree(upload);
        cu.call(Driver.cuEventDestroy, uploadDone);
    }
}
