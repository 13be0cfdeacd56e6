package dev.deepanat.engine.backend;

/**
 * A flat float32 buffer owned by one backend. Tensors are views (shape, strides, offset) over a storage.
 * CPU storages are heap arrays reclaimed by the GC; device storages free their memory in {@link #close()}.
 */
public interface Storage extends AutoCloseable {
    /** Number of float32 elements. */
    long size();

    /** The backend that allocated this storage and whose kernels can read it. */
    Backend backend();

    @Override
    default void close() {}
}
