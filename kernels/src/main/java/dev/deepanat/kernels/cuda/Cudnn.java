package dev.deepanat.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static dev.deepanat.kernels.cuda.Fn.DOUBLE;
import static dev.deepanat.kernels.cuda.Fn.INT;
import static dev.deepanat.kernels.cuda.Fn.LONG;
import static dev.deepanat.kernels.cuda.Fn.PTR;

/**
 * cuDNN 9's legacy API ({@code libcudnn.so.9}: {@code cudnn_graph.h}, {@code cudnn_ops.h}, {@code cudnn_cnn.h}):
 * Nd tensor, filter and convolution descriptors, the {@code _v7} algorithm heuristics, the three convolution passes
 * and the bias gradient, and batch normalization as PyTorch calls it. Descriptors are {@link AutoCloseable}
 * (create/destroy pairs). Every status goes through {@link #call}, which names the call and cuDNN's error string.
 */
final class Cudnn extends Bound {
    static final int CUDNN_DATA_FLOAT = 0, CUDNN_TENSOR_NCHW = 0, CUDNN_CROSS_CORRELATION = 1;
    static final int CUDNN_DEFAULT_MATH = 0, CUDNN_TENSOR_OP_MATH = 1, CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION = 2, CUDNN_FMA_MATH = 3;
    static final int CUDNN_BATCHNORM_SPATIAL = 1;
    /** sizeof(cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t): algo, status, time, (pad), size_t memory, determinism, mathType, reserved[3]. */
    static final long PERF_SIZE = 48, PERF_ALGO = 0, PERF_STATUS = 4, PERF_MEMORY = 16, PERF_MATH = 28;

    // ---- cudnn_graph.h: version, errors, handle ----
    /** size_t cudnnGetVersion(void); */
    static final Fn cudnnGetVersion = Fn.of("cudnnGetVersion", "size_t cudnnGetVersion(void)", LONG);
    /** const char *cudnnGetErrorString(cudnnStatus_t status); */
    static final Fn cudnnGetErrorString = Fn.of("cudnnGetErrorString", "const char *cudnnGetErrorString(cudnnStatus_t status)", PTR, INT);
    /** cudnnStatus_t cudnnGraphVersionCheck(void); */
    static final Fn cudnnGraphVersionCheck = Fn.status("cudnnGraphVersionCheck", "cudnnStatus_t cudnnGraphVersionCheck(void)");
    /** cudnnStatus_t cudnnOpsVersionCheck(void); */
    static final Fn cudnnOpsVersionCheck = Fn.status("cudnnOpsVersionCheck", "cudnnStatus_t cudnnOpsVersionCheck(void)");
    /** cudnnStatus_t cudnnCnnVersionCheck(void); */
    static final Fn cudnnCnnVersionCheck = Fn.status("cudnnCnnVersionCheck", "cudnnStatus_t cudnnCnnVersionCheck(void)");
    /** cudnnStatus_t cudnnCreate(cudnnHandle_t *handle); */
    static final Fn cudnnCreate = Fn.status("cudnnCreate", "cudnnStatus_t cudnnCreate(cudnnHandle_t *handle)", PTR);
    /** cudnnStatus_t cudnnDestroy(cudnnHandle_t handle); */
    static final Fn cudnnDestroy = Fn.status("cudnnDestroy", "cudnnStatus_t cudnnDestroy(cudnnHandle_t handle)", PTR);
    /** cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t streamId); */
    static final Fn cudnnSetStream = Fn.status("cudnnSetStream", "cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t streamId)", PTR, PTR);

    // ---- cudnn_ops.h: tensor descriptors, batch norm ----
    /** cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t *tensorDesc); */
    static final Fn cudnnCreateTensorDescriptor = Fn.status("cudnnCreateTensorDescriptor",
            "cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t *tensorDesc)", PTR);
    /** cudnnStatus_t cudnnSetTensorNdDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t dataType, int nbDims, const int dimA[], const int strideA[]); */
    static final Fn cudnnSetTensorNdDescriptor = Fn.status("cudnnSetTensorNdDescriptor",
            "cudnnStatus_t cudnnSetTensorNdDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t dataType, int nbDims, "
                    + "const int dimA[], const int strideA[])", PTR, INT, INT, PTR, PTR);
    /** cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t tensorDesc); */
    static final Fn cudnnDestroyTensorDescriptor = Fn.status("cudnnDestroyTensorDescriptor",
            "cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t tensorDesc)", PTR);
    /** cudnnStatus_t cudnnAddTensor(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t aDesc, const void *A, const void *beta, const cudnnTensorDescriptor_t cDesc, void *C); */
    static final Fn cudnnAddTensor = Fn.status("cudnnAddTensor",
            "cudnnStatus_t cudnnAddTensor(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t aDesc, "
                    + "const void *A, const void *beta, const cudnnTensorDescriptor_t cDesc, void *C)", PTR, PTR, PTR, PTR, PTR, PTR, PTR);
    /**
     * cudnnStatus_t cudnnBatchNormalizationForwardTraining(cudnnHandle_t handle, cudnnBatchNormMode_t mode,
     * const void *alpha, const void *beta, const cudnnTensorDescriptor_t xDesc, const void *x,
     * const cudnnTensorDescriptor_t yDesc, void *y, const cudnnTensorDescriptor_t bnScaleBiasMeanVarDesc,
     * const void *bnScale, const void *bnBias, double exponentialAverageFactor, void *resultRunningMean,
     * void *resultRunningVariance, double epsilon, void *resultSaveMean, void *resultSaveInvVariance);
     */
    static final Fn cudnnBatchNormalizationForwardTraining = Fn.status("cudnnBatchNormalizationForwardTraining",
            "cudnnStatus_t cudnnBatchNormalizationForwardTraining(cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void *alpha, "
                    + "const void *beta, const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnTensorDescriptor_t yDesc, void *y, "
                    + "const cudnnTensorDescriptor_t bnScaleBiasMeanVarDesc, const void *bnScale, const void *bnBias, "
                    + "double exponentialAverageFactor, void *resultRunningMean, void *resultRunningVariance, double epsilon, "
                    + "void *resultSaveMean, void *resultSaveInvVariance)",
            PTR, INT, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, DOUBLE, PTR, PTR, DOUBLE, PTR, PTR);
    /**
     * cudnnStatus_t cudnnBatchNormalizationForwardInference(cudnnHandle_t handle, cudnnBatchNormMode_t mode,
     * const void *alpha, const void *beta, const cudnnTensorDescriptor_t xDesc, const void *x,
     * const cudnnTensorDescriptor_t yDesc, void *y, const cudnnTensorDescriptor_t bnScaleBiasMeanVarDesc,
     * const void *bnScale, const void *bnBias, const void *estimatedMean, const void *estimatedVariance, double epsilon);
     */
    static final Fn cudnnBatchNormalizationForwardInference = Fn.status("cudnnBatchNormalizationForwardInference",
            "cudnnStatus_t cudnnBatchNormalizationForwardInference(cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void *alpha, "
                    + "const void *beta, const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnTensorDescriptor_t yDesc, void *y, "
                    + "const cudnnTensorDescriptor_t bnScaleBiasMeanVarDesc, const void *bnScale, const void *bnBias, "
                    + "const void *estimatedMean, const void *estimatedVariance, double epsilon)",
            PTR, INT, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, DOUBLE);
    /**
     * cudnnStatus_t cudnnBatchNormalizationBackward(cudnnHandle_t handle, cudnnBatchNormMode_t mode,
     * const void *alphaDataDiff, const void *betaDataDiff, const void *alphaParamDiff, const void *betaParamDiff,
     * const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnTensorDescriptor_t dyDesc, const void *dy,
     * const cudnnTensorDescriptor_t dxDesc, void *dx, const cudnnTensorDescriptor_t dBnScaleBiasDesc,
     * const void *bnScale, void *dBnScaleResult, void *dBnBiasResult, double epsilon, const void *savedMean,
     * const void *savedInvVariance);
     */
    static final Fn cudnnBatchNormalizationBackward = Fn.status("cudnnBatchNormalizationBackward",
            "cudnnStatus_t cudnnBatchNormalizationBackward(cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void *alphaDataDiff, "
                    + "const void *betaDataDiff, const void *alphaParamDiff, const void *betaParamDiff, const cudnnTensorDescriptor_t xDesc, "
                    + "const void *x, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnTensorDescriptor_t dxDesc, void *dx, "
                    + "const cudnnTensorDescriptor_t dBnScaleBiasDesc, const void *bnScale, void *dBnScaleResult, void *dBnBiasResult, "
                    + "double epsilon, const void *savedMean, const void *savedInvVariance)",
            PTR, INT, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, DOUBLE, PTR, PTR);

    // ---- cudnn_cnn.h: filters, convolutions ----
    /** cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t *filterDesc); */
    static final Fn cudnnCreateFilterDescriptor = Fn.status("cudnnCreateFilterDescriptor",
            "cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t *filterDesc)", PTR);
    /** cudnnStatus_t cudnnSetFilterNdDescriptor(cudnnFilterDescriptor_t filterDesc, cudnnDataType_t dataType, cudnnTensorFormat_t format, int nbDims, const int filterDimA[]); */
    static final Fn cudnnSetFilterNdDescriptor = Fn.status("cudnnSetFilterNdDescriptor",
            "cudnnStatus_t cudnnSetFilterNdDescriptor(cudnnFilterDescriptor_t filterDesc, cudnnDataType_t dataType, "
                    + "cudnnTensorFormat_t format, int nbDims, const int filterDimA[])", PTR, INT, INT, INT, PTR);
    /** cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t filterDesc); */
    static final Fn cudnnDestroyFilterDescriptor = Fn.status("cudnnDestroyFilterDescriptor",
            "cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t filterDesc)", PTR);
    /** cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t *convDesc); */
    static final Fn cudnnCreateConvolutionDescriptor = Fn.status("cudnnCreateConvolutionDescriptor",
            "cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t *convDesc)", PTR);
    /**
     * cudnnStatus_t cudnnSetConvolutionNdDescriptor(cudnnConvolutionDescriptor_t convDesc, int arrayLength,
     * const int padA[], const int filterStrideA[], const int dilationA[], cudnnConvolutionMode_t mode,
     * cudnnDataType_t computeType);
     */
    static final Fn cudnnSetConvolutionNdDescriptor = Fn.status("cudnnSetConvolutionNdDescriptor",
            "cudnnStatus_t cudnnSetConvolutionNdDescriptor(cudnnConvolutionDescriptor_t convDesc, int arrayLength, const int padA[], "
                    + "const int filterStrideA[], const int dilationA[], cudnnConvolutionMode_t mode, cudnnDataType_t computeType)",
            PTR, INT, PTR, PTR, PTR, INT, INT);
    /** cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t mathType); */
    static final Fn cudnnSetConvolutionMathType = Fn.status("cudnnSetConvolutionMathType",
            "cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t mathType)", PTR, INT);
    /** cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t convDesc); */
    static final Fn cudnnDestroyConvolutionDescriptor = Fn.status("cudnnDestroyConvolutionDescriptor",
            "cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t convDesc)", PTR);
    /**
     * cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t handle, const cudnnTensorDescriptor_t srcDesc,
     * const cudnnFilterDescriptor_t filterDesc, const cudnnConvolutionDescriptor_t convDesc,
     * const cudnnTensorDescriptor_t destDesc, const int requestedAlgoCount, int *returnedAlgoCount,
     * cudnnConvolutionFwdAlgoPerf_t *perfResults);
     */
    static final Fn cudnnGetConvolutionForwardAlgorithm_v7 = Fn.status("cudnnGetConvolutionForwardAlgorithm_v7",
            "cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t handle, const cudnnTensorDescriptor_t srcDesc, "
                    + "const cudnnFilterDescriptor_t filterDesc, const cudnnConvolutionDescriptor_t convDesc, "
                    + "const cudnnTensorDescriptor_t destDesc, const int requestedAlgoCount, int *returnedAlgoCount, "
                    + "cudnnConvolutionFwdAlgoPerf_t *perfResults)", PTR, PTR, PTR, PTR, PTR, INT, PTR, PTR);
    /**
     * cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnnHandle_t handle, const cudnnFilterDescriptor_t filterDesc,
     * const cudnnTensorDescriptor_t diffDesc, const cudnnConvolutionDescriptor_t convDesc,
     * const cudnnTensorDescriptor_t gradDesc, const int requestedAlgoCount, int *returnedAlgoCount,
     * cudnnConvolutionBwdDataAlgoPerf_t *perfResults);
     */
    static final Fn cudnnGetConvolutionBackwardDataAlgorithm_v7 = Fn.status("cudnnGetConvolutionBackwardDataAlgorithm_v7",
            "cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnnHandle_t handle, const cudnnFilterDescriptor_t filterDesc, "
                    + "const cudnnTensorDescriptor_t diffDesc, const cudnnConvolutionDescriptor_t convDesc, "
                    + "const cudnnTensorDescriptor_t gradDesc, const int requestedAlgoCount, int *returnedAlgoCount, "
                    + "cudnnConvolutionBwdDataAlgoPerf_t *perfResults)", PTR, PTR, PTR, PTR, PTR, INT, PTR, PTR);
    /**
     * cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnnHandle_t handle, const cudnnTensorDescriptor_t srcDesc,
     * const cudnnTensorDescriptor_t diffDesc, const cudnnConvolutionDescriptor_t convDesc,
     * const cudnnFilterDescriptor_t gradDesc, const int requestedAlgoCount, int *returnedAlgoCount,
     * cudnnConvolutionBwdFilterAlgoPerf_t *perfResults);
     */
    static final Fn cudnnGetConvolutionBackwardFilterAlgorithm_v7 = Fn.status("cudnnGetConvolutionBackwardFilterAlgorithm_v7",
            "cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnnHandle_t handle, const cudnnTensorDescriptor_t srcDesc, "
                    + "const cudnnTensorDescriptor_t diffDesc, const cudnnConvolutionDescriptor_t convDesc, "
                    + "const cudnnFilterDescriptor_t gradDesc, const int requestedAlgoCount, int *returnedAlgoCount, "
                    + "cudnnConvolutionBwdFilterAlgoPerf_t *perfResults)", PTR, PTR, PTR, PTR, PTR, INT, PTR, PTR);
    /** cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const cudnnFilterDescriptor_t wDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t yDesc, cudnnConvolutionFwdAlgo_t algo, size_t *sizeInBytes); */
    static final Fn cudnnGetConvolutionForwardWorkspaceSize = Fn.status("cudnnGetConvolutionForwardWorkspaceSize",
            "cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, "
                    + "const cudnnFilterDescriptor_t wDesc, const cudnnConvolutionDescriptor_t convDesc, "
                    + "const cudnnTensorDescriptor_t yDesc, cudnnConvolutionFwdAlgo_t algo, size_t *sizeInBytes)",
            PTR, PTR, PTR, PTR, PTR, INT, PTR);
    /** cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t handle, const cudnnFilterDescriptor_t wDesc, const cudnnTensorDescriptor_t dyDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t dxDesc, cudnnConvolutionBwdDataAlgo_t algo, size_t *sizeInBytes); */
    static final Fn cudnnGetConvolutionBackwardDataWorkspaceSize = Fn.status("cudnnGetConvolutionBackwardDataWorkspaceSize",
            "cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t handle, const cudnnFilterDescriptor_t wDesc, "
                    + "const cudnnTensorDescriptor_t dyDesc, const cudnnConvolutionDescriptor_t convDesc, "
                    + "const cudnnTensorDescriptor_t dxDesc, cudnnConvolutionBwdDataAlgo_t algo, size_t *sizeInBytes)",
            PTR, PTR, PTR, PTR, PTR, INT, PTR);
    /** cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const cudnnTensorDescriptor_t dyDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t gradDesc, cudnnConvolutionBwdFilterAlgo_t algo, size_t *sizeInBytes); */
    static final Fn cudnnGetConvolutionBackwardFilterWorkspaceSize = Fn.status("cudnnGetConvolutionBackwardFilterWorkspaceSize",
            "cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, "
                    + "const cudnnTensorDescriptor_t dyDesc, const cudnnConvolutionDescriptor_t convDesc, "
                    + "const cudnnFilterDescriptor_t gradDesc, cudnnConvolutionBwdFilterAlgo_t algo, size_t *sizeInBytes)",
            PTR, PTR, PTR, PTR, PTR, INT, PTR);
    /**
     * cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t xDesc,
     * const void *x, const cudnnFilterDescriptor_t wDesc, const void *w, const cudnnConvolutionDescriptor_t convDesc,
     * cudnnConvolutionFwdAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta,
     * const cudnnTensorDescriptor_t yDesc, void *y);
     */
    static final Fn cudnnConvolutionForward = Fn.status("cudnnConvolutionForward",
            "cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t xDesc, "
                    + "const void *x, const cudnnFilterDescriptor_t wDesc, const void *w, const cudnnConvolutionDescriptor_t convDesc, "
                    + "cudnnConvolutionFwdAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta, "
                    + "const cudnnTensorDescriptor_t yDesc, void *y)", PTR, PTR, PTR, PTR, PTR, PTR, PTR, INT, PTR, LONG, PTR, PTR, PTR);
    /**
     * cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t handle, const void *alpha, const cudnnFilterDescriptor_t wDesc,
     * const void *w, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnConvolutionDescriptor_t convDesc,
     * cudnnConvolutionBwdDataAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta,
     * const cudnnTensorDescriptor_t dxDesc, void *dx);
     */
    static final Fn cudnnConvolutionBackwardData = Fn.status("cudnnConvolutionBackwardData",
            "cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t handle, const void *alpha, const cudnnFilterDescriptor_t wDesc, "
                    + "const void *w, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnConvolutionDescriptor_t convDesc, "
                    + "cudnnConvolutionBwdDataAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta, "
                    + "const cudnnTensorDescriptor_t dxDesc, void *dx)", PTR, PTR, PTR, PTR, PTR, PTR, PTR, INT, PTR, LONG, PTR, PTR, PTR);
    /**
     * cudnnStatus_t cudnnConvolutionBackwardFilter(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t xDesc,
     * const void *x, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnConvolutionDescriptor_t convDesc,
     * cudnnConvolutionBwdFilterAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta,
     * const cudnnFilterDescriptor_t dwDesc, void *dw);
     */
    static final Fn cudnnConvolutionBackwardFilter = Fn.status("cudnnConvolutionBackwardFilter",
            "cudnnStatus_t cudnnConvolutionBackwardFilter(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t xDesc, "
                    + "const void *x, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnConvolutionDescriptor_t convDesc, "
                    + "cudnnConvolutionBwdFilterAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta, "
                    + "const cudnnFilterDescriptor_t dwDesc, void *dw)", PTR, PTR, PTR, PTR, PTR, PTR, PTR, INT, PTR, LONG, PTR, PTR, PTR);
    /** cudnnStatus_t cudnnConvolutionBackwardBias(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t dyDesc, const void *dy, const void *beta, const cudnnTensorDescriptor_t dbDesc, void *db); */
    static final Fn cudnnConvolutionBackwardBias = Fn.status("cudnnConvolutionBackwardBias",
            "cudnnStatus_t cudnnConvolutionBackwardBias(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t dyDesc, "
                    + "const void *dy, const void *beta, const cudnnTensorDescriptor_t dbDesc, void *db)", PTR, PTR, PTR, PTR, PTR, PTR, PTR);

    static final List<Fn> ALL = List.of(cudnnGetVersion, cudnnGetErrorString, cudnnGraphVersionCheck, cudnnOpsVersionCheck,
            cudnnCnnVersionCheck, cudnnCreate, cudnnDestroy, cudnnSetStream, cudnnCreateTensorDescriptor,
            cudnnSetTensorNdDescriptor, cudnnDestroyTensorDescriptor, cudnnAddTensor, cudnnBatchNormalizationForwardTraining,
            cudnnBatchNormalizationForwardInference, cudnnBatchNormalizationBackward, cudnnCreateFilterDescriptor,
            cudnnSetFilterNdDescriptor, cudnnDestroyFilterDescriptor, cudnnCreateConvolutionDescriptor,
            cudnnSetConvolutionNdDescriptor, cudnnSetConvolutionMathType, cudnnDestroyConvolutionDescriptor,
            cudnnGetConvolutionForwardAlgorithm_v7, cudnnGetConvolutionBackwardDataAlgorithm_v7,
            cudnnGetConvolutionBackwardFilterAlgorithm_v7, cudnnGetConvolutionForwardWorkspaceSize,
            cudnnGetConvolutionBackwardDataWorkspaceSize, cudnnGetConvolutionBackwardFilterWorkspaceSize,
            cudnnConvolutionForward, cudnnConvolutionBackwardData, cudnnConvolutionBackwardFilter, cudnnConvolutionBackwardBias);

    Cudnn(CudaLibraries.Library lib) {
        super(lib, ALL);
    }

    @Override
    String errorText(int status) {
        return cString((MemorySegment) invoke(cudnnGetErrorString, status)) + " (cudnnStatus_t " + status + ")";
    }

    long version() {
        return (long) invoke(cudnnGetVersion);
    }

    /** The sub-libraries' version checks: a loading problem (a missing or mismatched libcudnn_ops ...) surfaces here, named. */
    void versionChecks() {
        call(cudnnGraphVersionCheck);
        call(cudnnOpsVersionCheck);
        call(cudnnCnnVersionCheck);
    }

    /** A cudnnHandle_t on a stream. */
    final class Handle implements AutoCloseable {
        final MemorySegment handle;

        Handle(MemorySegment stream) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment h = a.allocate(PTR);
                call(cudnnCreate, h);
                handle = h.get(PTR, 0);
            }
            call(cudnnSetStream, handle, stream);
        }

        @Override
        public void close() {
            call(cudnnDestroy, handle);
        }
    }

    /** A dense float tensor descriptor of dims (row-major strides). */
    final class TensorDesc implements AutoCloseable {
        final MemorySegment desc;

        TensorDesc(int... dims) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment d = a.allocate(PTR);
                call(cudnnCreateTensorDescriptor, d);
                desc = d.get(PTR, 0);
                call(cudnnSetTensorNdDescriptor, desc, CUDNN_DATA_FLOAT, dims.length, a.allocateFrom(INT, dims),
                        a.allocateFrom(INT, Descriptors.denseStrides(dims)));
            }
        }

        @Override
        public void close() {
            call(cudnnDestroyTensorDescriptor, desc);
        }
    }

    /** A float filter descriptor [cOut, cIn, kd, kh, kw], NCHW layout. */
    final class FilterDesc implements AutoCloseable {
        final MemorySegment desc;

        FilterDesc(int... dims) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment d = a.allocate(PTR);
                call(cudnnCreateFilterDescriptor, d);
                desc = d.get(PTR, 0);
                call(cudnnSetFilterNdDescriptor, desc, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, dims.length, a.allocateFrom(INT, dims));
            }
        }

        @Override
        public void close() {
            call(cudnnDestroyFilterDescriptor, desc);
        }
    }

    /** A 3D cross-correlation with symmetric padding, fp32 compute, and a math type (TF32 allowed or not). */
    final class ConvDesc implements AutoCloseable {
        final MemorySegment desc;

        ConvDesc(int[] pad, int[] stride, int mathType) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment d = a.allocate(PTR);
                call(cudnnCreateConvolutionDescriptor, d);
                desc = d.get(PTR, 0);
                int[] dil = new int[pad.length];
                java.util.Arrays.fill(dil, 1);
                call(cudnnSetConvolutionNdDescriptor, desc, pad.length, a.allocateFrom(INT, pad), a.allocateFrom(INT, stride),
                        a.allocateFrom(INT, dil), CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT);
                call(cudnnSetConvolutionMathType, desc, mathType);
            }
        }

        void mathType(int mathType) {
            call(cudnnSetConvolutionMathType, desc, mathType);
        }

        @Override
        public void close() {
            call(cudnnDestroyConvolutionDescriptor, desc);
        }
    }
}
