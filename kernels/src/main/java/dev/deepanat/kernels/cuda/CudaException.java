package dev.deepanat.kernels.cuda;

/** A failed CUDA, cuBLAS, cuDNN or NVRTC call, or a missing library: the message names the call and the library's own error. */
public final class CudaException extends RuntimeException {
    public CudaException(String message) {
        super(message);
    }

    public CudaException(String message, Throwable cause) {
        super(message, cause);
    }
}
