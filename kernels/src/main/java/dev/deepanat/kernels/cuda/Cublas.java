package dev.deepanat.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static dev.deepanat.kernels.cuda.Fn.INT;
import static dev.deepanat.kernels.cuda.Fn.PTR;

/**
 * cuBLAS ({@code libcublas.so.13}): the handle and single-precision gemm. cuBLAS is column-major; the SPI's gemm is
 * row-major, which {@link #sgemmRowMajor} maps by computing Cᵀ = op(B)ᵀ · op(A)ᵀ (operands swapped). The handle is an
 * {@link AutoCloseable}: {@code cublasCreate_v2} / {@code cublasDestroy_v2}.
 */
final class Cublas extends Bound {
    static final int CUBLAS_OP_N = 0, CUBLAS_OP_T = 1;
    /** cublasMath_t: CUBLAS_DEFAULT_MATH (no TF32 for fp32 gemm, as PyTorch's matmul default), CUBLAS_TF32_TENSOR_OP_MATH. */
    static final int CUBLAS_DEFAULT_MATH = 0, CUBLAS_TF32_TENSOR_OP_MATH = 3;

    /** cublasStatus_t cublasCreate_v2(cublasHandle_t *handle); */
    static final Fn cublasCreate = Fn.status("cublasCreate_v2", "cublasStatus_t cublasCreate_v2(cublasHandle_t *handle)", PTR);
    /** cublasStatus_t cublasDestroy_v2(cublasHandle_t handle); */
    static final Fn cublasDestroy = Fn.status("cublasDestroy_v2", "cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)", PTR);
    /** cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId); */
    static final Fn cublasSetStream = Fn.status("cublasSetStream_v2", "cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)", PTR, PTR);
    /** cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode); */
    static final Fn cublasSetMathMode = Fn.status("cublasSetMathMode", "cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)", PTR, INT);
    /**
     * cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m,
     * int n, int k, const float *alpha, const float *A, int lda, const float *B, int ldb, const float *beta, float *C,
     * int ldc);
     */
    static final Fn cublasSgemm = Fn.status("cublasSgemm_v2",
            "cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, "
                    + "int n, int k, const float *alpha, const float *A, int lda, const float *B, int ldb, const float *beta, "
                    + "float *C, int ldc)",
            PTR, INT, INT, INT, INT, INT, PTR, PTR, INT, PTR, INT, PTR, PTR, INT);
    /** const char *cublasGetStatusString(cublasStatus_t status); */
    static final Fn cublasGetStatusString = Fn.of("cublasGetStatusString", "const char *cublasGetStatusString(cublasStatus_t status)", PTR, INT);
    /** const char *cublasGetStatusName(cublasStatus_t status); */
    static final Fn cublasGetStatusName = Fn.of("cublasGetStatusName", "const char *cublasGetStatusName(cublasStatus_t status)", PTR, INT);
    /** cublasStatus_t cublasGetProperty(libraryPropertyType type, int *value); */
    static final Fn cublasGetProperty = Fn.status("cublasGetProperty", "cublasStatus_t cublasGetProperty(libraryPropertyType type, int *value)", INT, PTR);

    static final List<Fn> ALL = List.of(cublasCreate, cublasDestroy, cublasSetStream, cublasSetMathMode, cublasSgemm,
            cublasGetStatusString, cublasGetStatusName, cublasGetProperty);

    Cublas(CudaLibraries.Library lib) {
        super(lib, ALL);
    }

    @Override
    String errorText(int status) {
        return cString((MemorySegment) invoke(cublasGetStatusName, status)) + " ("
                + cString((MemorySegment) invoke(cublasGetStatusString, status)) + ")";
    }

    /** "13.1.0" from cublasGetProperty (no device needed). */
    String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(INT);
            StringBuilder sb = new StringBuilder();
            for (int t = 0; t < 3; t++) {
                call(cublasGetProperty, t, v);
                sb.append(t == 0 ? "" : ".").append(v.get(INT, 0));
            }
            return sb.toString();
        }
    }

    /** A cuBLAS handle bound to a stream. */
    final class Handle implements AutoCloseable {
        final MemorySegment handle;

        Handle(MemorySegment stream) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment h = a.allocate(PTR);
                call(cublasCreate, h);
                handle = h.get(PTR, 0);
            }
            call(cublasSetStream, handle, stream);
            call(cublasSetMathMode, handle, CUBLAS_DEFAULT_MATH);
        }

        /**
         * Row-major C[m×n] = op(A) · op(B) + beta · C (A stored k×m when transA, B stored n×k when transB), pointers
         * already offset. Column-major, that is Cᵀ[n×m] = op(B)ᵀ · op(A)ᵀ: cuBLAS gets B first.
         */
        void sgemmRowMajor(boolean transA, boolean transB, int m, int n, int k, long a, long b, float beta, long c) {
            try (Arena ar = Arena.ofConfined()) {
                MemorySegment one = ar.allocateFrom(Fn.FLOAT, 1f), bet = ar.allocateFrom(Fn.FLOAT, beta);
                GemmArgs g = GemmArgs.rowMajor(transA, transB, m, n, k);
                call(cublasSgemm, handle, g.opFirst(), g.opSecond(), g.m(), g.n(), g.k(), one,
                        MemorySegment.ofAddress(b), g.ldFirst(), MemorySegment.ofAddress(a), g.ldSecond(), bet,
                        MemorySegment.ofAddress(c), g.ldc());
            }
        }

        @Override
        public void close() {
            call(cublasDestroy, handle);
        }
    }

    /**
     * The column-major cublasSgemm arguments of a row-major product: first operand B, second A. Pure arithmetic, tested
     * without a GPU against a column-major gemm written out in Java.
     */
    record GemmArgs(int opFirst, int opSecond, int m, int n, int k, int ldFirst, int ldSecond, int ldc) {
        static GemmArgs rowMajor(boolean transA, boolean transB, int m, int n, int k) {
            // Row-major B (k×n, or n×k when transB) is column-major Bᵀ with leading dimension n (or k).
            return new GemmArgs(transB ? CUBLAS_OP_T : CUBLAS_OP_N, transA ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k,
                    transB ? k : n, transA ? m : k, n);
        }
    }
}
