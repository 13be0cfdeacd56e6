package dev.deepanat.engine.backend;

/** Storage of the CPU backends: a plain Java float array, shared by the reference and the SIMD backend. */
public record HeapStorage(Backend backend, float[] data) implements Storage {
    @Override
    public long size() {
        return data.length;
    }
}
