package dev.deepanat.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static dev.deepanat.kernels.cuda.Fn.INT;
import static dev.deepanat.kernels.cuda.Fn.LONG;
import static dev.deepanat.kernels.cuda.Fn.PTR;

/**
 * The CUDA driver API ({@code libcuda.so.1}, {@code cuda.h} of CUDA 13), the functions the backend uses: one
 * {@link Fn} per function with its C prototype, bound to one {@link MethodHandle}. Handles ({@code CUcontext},
 * {@code CUstream}, ...) are pointers; {@code CUdeviceptr} is a 64-bit integer. Every call's {@code CUresult} is
 * checked by {@link #check}, which names the call and the driver's own error name and string. {@code cuCtxCreate}
 * changed its signature in CUDA 13: the backend uses the device's primary context instead.
 */
final class Driver extends Bound {
    static final int CUDA_SUCCESS = 0, CUDA_ERROR_OUT_OF_MEMORY = 2;
    static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    static final int CU_MEMPOOL_ATTR_RELEASE_THRESHOLD = 4;
    static final int CU_MEMPOOL_ATTR_RESERVED_MEM_CURRENT = 5, CU_MEMPOOL_ATTR_USED_MEM_CURRENT = 7;
    static final int CU_STREAM_NON_BLOCKING = 1, CU_EVENT_DISABLE_TIMING = 2;

    /** CUresult cuInit(unsigned int Flags); */
    static final Fn cuInit = Fn.status("cuInit", "CUresult cuInit(unsigned int Flags)", INT);
    /** CUresult cuDriverGetVersion(int *driverVersion); */
    static final Fn cuDriverGetVersion = Fn.status("cuDriverGetVersion", "CUresult cuDriverGetVersion(int *driverVersion)", PTR);
    /** CUresult cuDeviceGetCount(int *count); */
    static final Fn cuDeviceGetCount = Fn.status("cuDeviceGetCount", "CUresult cuDeviceGetCount(int *count)", PTR);
    /** CUresult cuDeviceGet(CUdevice *device, int ordinal); */
    static final Fn cuDeviceGet = Fn.status("cuDeviceGet", "CUresult cuDeviceGet(CUdevice *device, int ordinal)", PTR, INT);
    /** CUresult cuDeviceGetName(char *name, int len, CUdevice dev); */
    static final Fn cuDeviceGetName = Fn.status("cuDeviceGetName", "CUresult cuDeviceGetName(char *name, int len, CUdevice dev)", PTR, INT, INT);
    /** CUresult cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev); */
    static final Fn cuDeviceGetAttribute = Fn.status("cuDeviceGetAttribute",
            "CUresult cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev)", PTR, INT, INT);
    /** CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev); */
    static final Fn cuDeviceTotalMem = Fn.status("cuDeviceTotalMem_v2", "CUresult cuDeviceTotalMem(size_t *bytes, CUdevice dev)", PTR, INT);
    /** CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev); */
    static final Fn cuDevicePrimaryCtxRetain = Fn.status("cuDevicePrimaryCtxRetain",
            "CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev)", PTR, INT);
    /** CUresult cuCtxSetCurrent(CUcontext ctx); */
    static final Fn cuCtxSetCurrent = Fn.status("cuCtxSetCurrent", "CUresult cuCtxSetCurrent(CUcontext ctx)", PTR);
    /** CUresult cuStreamCreate(CUstream *phStream, unsigned int Flags); */
    static final Fn cuStreamCreate = Fn.status("cuStreamCreate", "CUresult cuStreamCreate(CUstream *phStream, unsigned int Flags)", PTR, INT);
    /** CUresult cuStreamDestroy_v2(CUstream hStream); */
    static final Fn cuStreamDestroy = Fn.status("cuStreamDestroy_v2", "CUresult cuStreamDestroy(CUstream hStream)", PTR);
    /** CUresult cuStreamSynchronize(CUstream hStream); */
    static final Fn cuStreamSynchronize = Fn.status("cuStreamSynchronize", "CUresult cuStreamSynchronize(CUstream hStream)", PTR);
    /** CUresult cuModuleLoadData(CUmodule *module, const void *image); */
    static final Fn cuModuleLoadData = Fn.status("cuModuleLoadData", "CUresult cuModuleLoadData(CUmodule *module, const void *image)", PTR, PTR);
    /** CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name); */
    static final Fn cuModuleGetFunction = Fn.status("cuModuleGetFunction",
            "CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name)", PTR, PTR, PTR);
    /**
     * CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ,
     * unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ, unsigned int sharedMemBytes,
     * CUstream hStream, void **kernelParams, void **extra);
     */
    static final Fn cuLaunchKernel = Fn.status("cuLaunchKernel",
            "CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ, "
                    + "unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ, unsigned int sharedMemBytes, "
                    + "CUstream hStream, void **kernelParams, void **extra)",
            PTR, INT, INT, INT, INT, INT, INT, INT, PTR, PTR, PTR);
    /** CUresult cuDeviceGetDefaultMemPool(CUmemoryPool *pool_out, CUdevice dev); */
    static final Fn cuDeviceGetDefaultMemPool = Fn.status("cuDeviceGetDefaultMemPool",
            "CUresult cuDeviceGetDefaultMemPool(CUmemoryPool *pool_out, CUdevice dev)", PTR, INT);
    /** CUresult cuMemPoolSetAttribute(CUmemoryPool pool, CUmemPool_attribute attr, void *value); */
    static final Fn cuMemPoolSetAttribute = Fn.status("cuMemPoolSetAttribute",
            "CUresult cuMemPoolSetAttribute(CUmemoryPool pool, CUmemPool_attribute attr, void *value)", PTR, INT, PTR);
    /** CUresult cuMemPoolTrimTo(CUmemoryPool pool, size_t minBytesToKeep); */
    static final Fn cuMemPoolTrimTo = Fn.status("cuMemPoolTrimTo", "CUresult cuMemPoolTrimTo(CUmemoryPool pool, size_t minBytesToKeep)", PTR, LONG);
    /** CUresult cuMemAllocAsync(CUdeviceptr *dptr, size_t bytesize, CUstream hStream); */
    static final Fn cuMemAllocAsync = Fn.status("cuMemAllocAsync",
            "CUresult cuMemAllocAsync(CUdeviceptr *dptr, size_t bytesize, CUstream hStream)", PTR, LONG, PTR);
    /** CUresult cuMemFreeAsync(CUdeviceptr dptr, CUstream hStream); */
    static final Fn cuMemFreeAsync = Fn.status("cuMemFreeAsync", "CUresult cuMemFreeAsync(CUdeviceptr dptr, CUstream hStream)", LONG, PTR);
    /** CUresult cuMemGetInfo_v2(size_t *free, size_t *total); */
    static final Fn cuMemGetInfo = Fn.status("cuMemGetInfo_v2", "CUresult cuMemGetInfo(size_t *free, size_t *total)", PTR, PTR);
    /** CUresult cuMemHostAlloc(void **pp, size_t bytesize, unsigned int Flags); */
    static final Fn cuMemHostAlloc = Fn.status("cuMemHostAlloc", "CUresult cuMemHostAlloc(void **pp, size_t bytesize, unsigned int Flags)", PTR, LONG, INT);
    /** CUresult cuMemFreeHost(void *p); */
    static final Fn cuMemFreeHost = Fn.status("cuMemFreeHost", "CUresult cuMemFreeHost(void *p)", PTR);
    /** CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount, CUstream hStream); */
    static final Fn cuMemcpyHtoDAsync = Fn.status("cuMemcpyHtoDAsync_v2",
            "CUresult cuMemcpyHtoDAsync(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount, CUstream hStream)", LONG, PTR, LONG, PTR);
    /** CUresult cuMemcpyDtoHAsync_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream); */
    static final Fn cuMemcpyDtoHAsync = Fn.status("cuMemcpyDtoHAsync_v2",
            "CUresult cuMemcpyDtoHAsync(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream)", PTR, LONG, LONG, PTR);
    /** CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream); */
    static final Fn cuMemcpyDtoDAsync = Fn.status("cuMemcpyDtoDAsync_v2",
            "CUresult cuMemcpyDtoDAsync(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream)", LONG, LONG, LONG, PTR);
    /** CUresult cuEventCreate(CUevent *phEvent, unsigned int Flags); */
    static final Fn cuEventCreate = Fn.status("cuEventCreate", "CUresult cuEventCreate(CUevent *phEvent, unsigned int Flags)", PTR, INT);
    /** CUresult cuEventRecord(CUevent hEvent, CUstream hStream); */
    static final Fn cuEventRecord = Fn.status("cuEventRecord", "CUresult cuEventRecord(CUevent hEvent, CUstream hStream)", PTR, PTR);
    /** CUresult cuEventSynchronize(CUevent hEvent); */
    static final Fn cuEventSynchronize = Fn.status("cuEventSynchronize", "CUresult cuEventSynchronize(CUevent hEvent)", PTR);
    /** CUresult cuEventDestroy_v2(CUevent hEvent); */
    static final Fn cuEventDestroy = Fn.status("cuEventDestroy_v2", "CUresult cuEventDestroy(CUevent hEvent)", PTR);
    /** CUresult cuGetErrorName(CUresult error, const char **pStr); */
    static final Fn cuGetErrorName = Fn.status("cuGetErrorName", "CUresult cuGetErrorName(CUresult error, const char **pStr)", INT, PTR);
    /** CUresult cuGetErrorString(CUresult error, const char **pStr); */
    static final Fn cuGetErrorString = Fn.status("cuGetErrorString", "CUresult cuGetErrorString(CUresult error, const char **pStr)", INT, PTR);

    /** Every function bound here (the prototype test walks it). */
    static final List<Fn> ALL = List.of(cuInit, cuDriverGetVersion, cuDeviceGetCount, cuDeviceGet, cuDeviceGetName,
            cuDeviceGetAttribute, cuDeviceTotalMem, cuDevicePrimaryCtxRetain, cuCtxSetCurrent, cuStreamCreate,
            cuStreamDestroy, cuStreamSynchronize, cuModuleLoadData, cuModuleGetFunction, cuLaunchKernel,
            cuDeviceGetDefaultMemPool, cuMemPoolSetAttribute, cuMemPoolTrimTo, cuMemAllocAsync, cuMemFreeAsync,
            cuMemGetInfo, cuMemHostAlloc, cuMemFreeHost, cuMemcpyHtoDAsync, cuMemcpyDtoHAsync, cuMemcpyDtoDAsync,
            cuEventCreate, cuEventRecord, cuEventSynchronize, cuEventDestroy, cuGetErrorName, cuGetErrorString);

    Driver(CudaLibraries.Library lib) {
        super(lib, ALL);
    }

    /** "CUDA_ERROR_OUT_OF_MEMORY (out of memory)", from the driver itself. */
    @Override
    String errorText(int result) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(PTR);
            String name = raw(cuGetErrorName, result, p) == CUDA_SUCCESS ? cString(p.get(PTR, 0)) : "CUresult " + result;
            String text = raw(cuGetErrorString, result, p) == CUDA_SUCCESS ? cString(p.get(PTR, 0)) : "unknown error";
            return name + " (" + text + ")";
        }
    }
}
