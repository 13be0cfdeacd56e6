package dev.deepanat.engine.backend;

/** Storage of the CPU backends: a plain Java float array, shared by the reference and the SIMD backend. */
public final class HeapStorage extends Storage {
    private final float[] data;

    public HeapStorage(Backend backend, float[] data) {
        super(backend, data.length);
        this.data = data;
    }

    /** The array behind this storage; a freed storage refuses, since its array may already hold another tensor. */
    public float[] data() {
        requireLive("kernel");
        return data;
    }

    /** The array for the allocator that takes it back after {@link #free}. */
    float[] reclaim() {
        return data;
    }
}
