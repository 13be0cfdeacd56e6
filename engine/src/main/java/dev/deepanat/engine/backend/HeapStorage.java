package dev.deepanat.engine.backend;

/** Storage of the CPU backends: a plain Java float array, shared by the reference and the SIMD backend. */
public final class HeapStorage extends Storage {
    private float[] data;

    public HeapStorage(Backend backend, float[] data) {
        super(backend, data.length);
        this.data = data;
    }

    /** The array behind this storage; a freed storage refuses, since its array may already hold another tensor. */
    public float[] data() {
        requireLive("kernel");
        return data;
    }

    /**
     * Hands the array to the allocator that takes it back after {@link #free}, and forgets it: a freed storage may
     * still be referenced (by a closed tensor in an open scope) and must not keep its memory from the allocator or GC.
     */
    float[] reclaim() {
        float[] a = data;
        data = null;
        return a;
    }
}
