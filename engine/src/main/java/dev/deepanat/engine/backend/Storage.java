package dev.deepanat.engine.backend;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A flat float32 buffer owned by one backend. Tensors are views (shape, strides, offset) over a storage.
 *
 * <p>Memory is returned deterministically, not by the garbage collector: every user of a storage (each tensor
 * handle, each activation an autograd node saved) {@link #retain retains} it and {@link #release releases} it when
 * done; when the count falls back to zero the storage is {@link #free freed} at once and its backend takes the memory
 * back (into a cache, as PyTorch's CUDA caching allocator does). A freed storage can never be used again: retaining it,
 * freeing it twice, or passing it to a kernel is an {@link IllegalStateException}. See docs/architecture.md.
 */
public abstract class Storage {
    private static final AtomicLong IDS = new AtomicLong();

    private final Backend backend;
    private final long size;
    private final long id = IDS.incrementAndGet();
    private final AtomicInteger refs = new AtomicInteger();
    private volatile boolean freed;

    protected Storage(Backend backend, long size) {
        this.backend = backend;
        this.size = size;
    }

    /** Number of float32 elements. */
    public final long size() {
        return size;
    }

    /** The backend that allocated this storage and whose kernels can read it. */
    public final Backend backend() {
        return backend;
    }

    /** A number unique in this process, for messages. */
    public final long id() {
        return id;
    }

    /** The users holding this storage now. */
    public final int refCount() {
        return refs.get();
    }

    public final boolean isFreed() {
        return freed;
    }

    /** One more user. A freed storage cannot come back. */
    public final void retain() {
        requireLive("retain");
        refs.incrementAndGet();
    }

    /** One user fewer; the last one frees the storage. */
    public final void release() {
        int r = refs.decrementAndGet();
        if (r == 0) free();
        else if (r < 0) throw new IllegalStateException("double free: " + this + " was released more often than retained");
    }

    /** Returns the memory to the backend now (normally through {@link #release}); a second free is an error. */
    public final void free() {
        synchronized (this) {
            if (freed) throw new IllegalStateException("double free of " + this);
            freed = true;
        }
        backend.free(this);
    }

    /** Throws when this storage was freed; {@code where} names the kernel or op that wanted it. */
    public final void requireLive(String where) {
        if (freed) throw new IllegalStateException(where + ": use after free of " + this);
    }

    @Override
    public String toString() {
        return "storage #" + id + " (" + size + " floats on " + backend.name() + ")";
    }
}
