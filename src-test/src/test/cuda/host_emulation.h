// Host emulation of the CUDA built-ins deepanat.cu uses, so that the same source compiles as C++ for the CPU
// (g++ -include host_emulation.h -x c++ deepanat.cu). Launches run one block at a time with one thread per block
// (blockDim.x = 1): every grid-stride loop and the block reduction of da_reduce_sum then run sequentially, which
// checks the kernels' index arithmetic and argument lists, not their parallel behavior. Used by KernelEmulationTest.
#include <cmath>
#include <cstring>
#include <algorithm>

struct emu_dim3 { unsigned x, y, z; };
static emu_dim3 blockIdx, threadIdx, blockDim, gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __syncthreads() ((void) 0)

using std::min;
using std::isnan;
using std::signbit;

static inline float __int_as_float(int i) {
    float f;
    std::memcpy(&f, &i, 4);
    return f;
}

extern "C" void emu_block(unsigned block, unsigned blocks) {
    blockIdx.x = block; blockIdx.y = blockIdx.z = 0;
    gridDim.x = blocks; gridDim.y = gridDim.z = 1;
    threadIdx.x = threadIdx.y = threadIdx.z = 0;
    blockDim.x = 1; blockDim.y = blockDim.z = 1;
}
