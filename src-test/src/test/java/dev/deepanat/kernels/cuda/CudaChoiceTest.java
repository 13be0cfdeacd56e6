package dev.deepanat.kernels.cuda;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.deepanat.kernels.cuda.Cudnn.CUDNN_DEFAULT_MATH;
import static dev.deepanat.kernels.cuda.Cudnn.CUDNN_FMA_MATH;
import static dev.deepanat.kernels.cuda.Cudnn.CUDNN_TENSOR_OP_MATH;
import static dev.deepanat.kernels.cuda.Cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The choices the CUDA backend makes from what the libraries report, without a GPU: the cuDNN algorithm of a pass
 * from the {@code _v7} ranked list ({@link CudaConv#select}), the NVRTC architecture of a device
 * ({@link Nvrtc#cubinArch}), the workspace limit.
 */
class CudaChoiceTest {
    static final int OK = 0, NOT_SUPPORTED = 3000;

    static CudaConv.Perf perf(int algo, int status, int math) {
        return new CudaConv.Perf(algo, status, math);
    }

    /** A fake workspace query: bytes per algorithm, -1 where the algorithm is refused with FMA math; records the calls. */
    static CudaConv.WorkspaceQuery query(long[] bytes, long[] fmaBytes, List<String> calls) {
        return (algo, math) -> {
            calls.add(algo + "/" + math);
            return math == CUDNN_FMA_MATH ? fmaBytes[algo] : bytes[algo];
        };
    }

    @Test
    void withoutTf32EveryCandidateRunsWithFmaMathInCudnnsOrder() {
        // the _v7 list reports DEFAULT or TENSOR_OP math, never FMA: the first usable entry wins, forced to FMA
        List<CudaConv.Perf> perfs = List.of(perf(1, OK, CUDNN_TENSOR_OP_MATH), perf(1, OK, CUDNN_DEFAULT_MATH), perf(0, OK, CUDNN_DEFAULT_MATH));
        List<String> calls = new ArrayList<>();
        CudaConv.Choice c = CudaConv.select(perfs, false, 1 << 20, query(new long[] {10, 20}, new long[] {10, 20}, calls));
        assertEquals(new CudaConv.Choice(1, CUDNN_FMA_MATH, 20), c);
        assertEquals(List.of("1/3"), calls);
    }

    @Test
    void anAlgorithmCudnnRefusesWithTheMathAllowedGivesWayToTheNext() {
        // the old choice took the first entry, forced FMA math on it, and failed when cuDNN had no FMA version of it
        List<CudaConv.Perf> perfs = List.of(perf(6, OK, CUDNN_TENSOR_OP_MATH), perf(6, OK, CUDNN_DEFAULT_MATH), perf(1, OK, CUDNN_DEFAULT_MATH));
        long[] any = {0, 4096, 0, 0, 0, 0, 512}, fma = {0, 4096, 0, 0, 0, 0, -1};
        List<String> calls = new ArrayList<>();
        assertEquals(new CudaConv.Choice(1, CUDNN_FMA_MATH, 4096), CudaConv.select(perfs, false, 1 << 20, query(any, fma, calls)));
        assertEquals(List.of("6/3", "1/3"), calls); // algorithm 6 asked once, not once per listed math
        // with TF32 the reported math is kept and the first entry runs
        assertEquals(new CudaConv.Choice(6, CUDNN_TENSOR_OP_MATH, 512), CudaConv.select(perfs, true, 1 << 20, query(any, fma, new ArrayList<>())));
    }

    @Test
    void failedEntriesAndFp16ConversionAreSkipped() {
        List<CudaConv.Perf> perfs = List.of(perf(0, NOT_SUPPORTED, CUDNN_DEFAULT_MATH), perf(2, OK, CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION),
                perf(3, OK, CUDNN_DEFAULT_MATH));
        long[] bytes = {0, 0, 0, 100};
        assertEquals(new CudaConv.Choice(3, CUDNN_DEFAULT_MATH, 100), CudaConv.select(perfs, true, 1 << 20, query(bytes, bytes, new ArrayList<>())));
        assertEquals(new CudaConv.Choice(3, CUDNN_FMA_MATH, 100), CudaConv.select(perfs, false, 1 << 20, query(bytes, bytes, new ArrayList<>())));
        assertNull(CudaConv.select(List.of(perf(0, NOT_SUPPORTED, CUDNN_DEFAULT_MATH)), true, 1 << 20, query(bytes, bytes, new ArrayList<>())));
        assertNull(CudaConv.select(List.of(), false, 1 << 20, query(bytes, bytes, new ArrayList<>())));
    }

    @Test
    void aWorkspaceBeyondTheLimitGivesWayToALeanerAlgorithm() {
        List<CudaConv.Perf> perfs = List.of(perf(4, OK, CUDNN_DEFAULT_MATH), perf(5, OK, CUDNN_DEFAULT_MATH), perf(1, OK, CUDNN_DEFAULT_MATH));
        long[] bytes = {0, 3000, 0, 0, 9000, 5000};
        assertEquals(1, CudaConv.select(perfs, false, 4000, query(bytes, bytes, new ArrayList<>())).algo());
        // every one beyond the limit: the one needing least
        assertEquals(new CudaConv.Choice(1, CUDNN_FMA_MATH, 3000), CudaConv.select(perfs, false, 1000, query(bytes, bytes, new ArrayList<>())));
        assertEquals(80L << 30 >> 2, CudaBackend.workspaceLimit(80L << 30));
        assertEquals(64L << 20, CudaBackend.workspaceLimit(0));
    }

    @Test
    void nvrtcCompilesForTheDeviceOrTheNewestCompatibleArchitecture() {
        int[] nvrtc13 = {75, 80, 86, 87, 88, 89, 90, 100, 110, 103, 120, 121};
        assertEquals(90, Nvrtc.cubinArch(90, nvrtc13));
        assertEquals(100, Nvrtc.cubinArch(100, nvrtc13));
        int[] older = {75, 80, 86, 89, 90, 100, 120};
        assertEquals(120, Nvrtc.cubinArch(121, older));   // a CUBIN runs on later minors of its major
        assertEquals(100, Nvrtc.cubinArch(103, older));
        assertEquals(-1, Nvrtc.cubinArch(70, nvrtc13));   // Volta: CUDA 13 dropped it
        assertEquals(-1, Nvrtc.cubinArch(130, older));    // a newer major: no CUBIN of an older one runs there
    }
}
