package dev.deepanat.kernels.cuda;

import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Storage;

/** A block of device memory: its address ({@code CUdeviceptr}) and the size class it came from. */
final class CudaStorage extends Storage {
    final long ptr;
    final long blockBytes;

    CudaStorage(Backend backend, long n, long ptr, long blockBytes) {
        super(backend, n);
        this.ptr = ptr;
        this.blockBytes = blockBytes;
    }

    /** The device address of element i. */
    long at(long i) {
        return ptr + 4 * i;
    }
}
