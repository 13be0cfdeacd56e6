// Host emulation of the CUDA built-ins deepanat.cu uses, so that the same source compiles as C++ for the CPU
// (g++ -include host_emulation.h -x c++ deepanat.cu). Launches run one block at a time. With emu_block a block has
// one thread (blockDim.x = 1): every grid-stride loop and the block reduction of da_reduce_sum then run sequentially,
// which checks the kernels' index arithmetic and argument lists. With emu_block_threads + emu_thread a block has
// several threads, each a host thread that calls the kernel (threadIdx is thread-local, __syncthreads a barrier,
// __shared__ memory one static array shared by them): this checks a kernel's use of shared memory and barriers, as
// far as a few threads can. Used by KernelEmulationTest.
#include <cmath>
#include <cstring>
#include <algorithm>
#include <mutex>
#include <condition_variable>

struct emu_dim3 { unsigned x, y, z; };
static emu_dim3 blockIdx, blockDim, gridDim;
static thread_local emu_dim3 threadIdx;

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static

static std::mutex emu_mutex;
static std::condition_variable emu_cv;
static unsigned emu_waiting, emu_generation;

// A barrier of the block's blockDim.x threads.
static inline void __syncthreads() {
    if (blockDim.x <= 1) return;
    std::unique_lock<std::mutex> lock(emu_mutex);
    unsigned gen = emu_generation;
    if (++emu_waiting == blockDim.x) {
        emu_waiting = 0;
        emu_generation++;
        emu_cv.notify_all();
    } else {
        emu_cv.wait(lock, [gen] { return emu_generation != gen; });
    }
}

using std::min;
using std::isnan;
using std::signbit;

static inline float __int_as_float(int i) {
    float f;
    std::memcpy(&f, &i, 4);
    return f;
}

// A block of `threads` threads: set before the threads start; each then calls emu_thread with its index.
extern "C" void emu_block_threads(unsigned block, unsigned blocks, unsigned threads) {
    blockIdx.x = block; blockIdx.y = blockIdx.z = 0;
    gridDim.x = blocks; gridDim.y = gridDim.z = 1;
    blockDim.x = threads; blockDim.y = blockDim.z = 1;
    emu_waiting = 0;
}

extern "C" void emu_thread(unsigned t) {
    threadIdx.x = t; threadIdx.y = threadIdx.z = 0;
}

extern "C" void emu_block(unsigned block, unsigned blocks) {
    emu_block_threads(block, blocks, 1);
    emu_thread(0);
}
