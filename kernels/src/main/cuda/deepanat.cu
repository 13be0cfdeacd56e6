// DeepAnat-J CUDA kernels: the SPI primitives that are not cuBLAS or cuDNN calls.
// Compiled at run time by NVRTC to CUBIN for the device present (CudaKernels.java); also compiled by the tests
// (NVRTC through our bindings where libnvrtc is found, nvcc otherwise) for sm_90 and sm_100.
// Rules: every kernel is a grid-stride loop over a 64-bit index; offsets are computed in 64 bits; one thread writes
// each output element (no atomics), so results are deterministic and data movement is exact.

#define MAXR 8

// Shapes and strides of up to MAXR dimensions, passed by value (all ints: no padding; StridedArgs.java writes it).
struct Strided {
    int rank;
    int shape[MAXR];
    int s0[MAXR];   // strides of the first operand (elements)
    int s1[MAXR];   // strides of the second operand
};

// Offsets of dense element i in two strided operands.
__device__ __forceinline__ void strided_offsets(const Strided& d, long long i, long long& o0, long long& o1) {
    o0 = 0; o1 = 0;
    for (int k = d.rank - 1; k >= 0; k--) {
        long long ik = i % d.shape[k];
        i /= d.shape[k];
        o0 += ik * d.s0[k];
        o1 += ik * d.s1[k];
    }
}

#define GRID_STRIDE(i, n) for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
                               i += (long long) blockDim.x * gridDim.x)

extern "C" __global__ void da_fill(float* p, long long n, float v) {
    GRID_STRIDE(i, n) p[i] = v;
}

// Ordinals of dev.deepanat.engine.backend.UnaryOp (CudaKernels checks that the enum has not changed).
enum { U_NEG, U_EXP, U_LOG, U_ABS, U_SQRT, U_SIGMOID, U_RECIPROCAL, U_RELU, U_STEP, U_SIGN, U_LEAKY_RELU,
       U_LEAKY_STEP, U_POW, U_ADD_SCALAR, U_MUL_SCALAR, U_CLAMP, U_CLAMP_MASK, U_SOFTPLUS };

// Java's Math.max / Math.min: a NaN operand gives NaN (fmaxf/fminf would return the other operand), and +0 > -0.
__device__ __forceinline__ float java_max(float x, float y) {
    if (isnan(x)) return x;
    if (isnan(y)) return y;
    if (x == 0.0f && y == 0.0f) return signbit(x) ? y : x;
    return x > y ? x : y;
}

__device__ __forceinline__ float java_min(float x, float y) {
    if (isnan(x)) return x;
    if (isnan(y)) return y;
    if (x == 0.0f && y == 0.0f) return signbit(x) ? x : y;
    return x < y ? x : y;
}

__device__ __forceinline__ float unary_op(int op, float x, float a, float b) {
    switch (op) {
        case U_NEG: return -x;
        case U_EXP: return (float) exp((double) x);
        case U_LOG: return (float) log((double) x);
        case U_ABS: return fabsf(x);
        case U_SQRT: return (float) sqrt((double) x);
        case U_SIGMOID: return (float) (1.0 / (1.0 + exp(-(double) x)));
        case U_RECIPROCAL: return 1.0f / x;
        case U_RELU: return x > 0 ? x : 0.0f;
        case U_STEP: return x > 0 ? 1.0f : 0.0f;
        case U_SIGN: return x > 0 ? 1.0f : (x < 0 ? -1.0f : x);   // keeps ±0 and NaN, as Math.signum
        case U_LEAKY_RELU: return x > 0 ? x : a * x;
        case U_LEAKY_STEP: return x > 0 ? 1.0f : a;
        case U_POW: return (float) pow((double) x, (double) a);
        case U_ADD_SCALAR: return x + a;
        case U_MUL_SCALAR: return x * a;
        case U_CLAMP: return java_min(java_max(x, a), b);
        case U_CLAMP_MASK: return x >= a && x <= b ? 1.0f : 0.0f;
        case U_SOFTPLUS: return (float) (fmax((double) x, 0.0) + log1p(exp(-fabs((double) x))));
        default: return __int_as_float(0x7fc0dead);
    }
}

extern "C" __global__ void da_unary(int op, float a, float b, const float* x, float* y, long long n) {
    GRID_STRIDE(i, n) y[i] = unary_op(op, x[i], a, b);
}

// Ordinals of dev.deepanat.engine.backend.BinaryOp.
enum { B_ADD, B_SUB, B_MUL, B_DIV };

extern "C" __global__ void da_binary(int op, Strided d, const float* x, long long xoff, const float* y, long long yoff,
                                     float* out, long long n) {
    GRID_STRIDE(i, n) {
        long long ox, oy;
        strided_offsets(d, i, ox, oy);
        float a = x[xoff + ox], b = y[yoff + oy], r;
        switch (op) {
            case B_ADD: r = a + b; break;
            case B_SUB: r = a - b; break;
            case B_MUL: r = a * b; break;
            default: r = a / b; break;
        }
        out[i] = r;
    }
}

// dst view ← src view (same shape): s0 = src strides, s1 = dst strides.
extern "C" __global__ void da_copy(Strided d, const float* src, long long soff, float* dst, long long doff, long long n) {
    GRID_STRIDE(i, n) {
        long long os, od;
        strided_offsets(d, i, os, od);
        dst[doff + od] = src[soff + os];
    }
}

// out (dense, the kept axes of x) = sum of dense x over the axes where s1[k] == 0 ("reduced").
// shape = x's shape; s0 = x's dense strides; s1 = 1 for a kept axis, 0 for a reduced one.
// One block per output element (grid-stride over outputs), its threads split the reduced elements; sums in double.
extern "C" __global__ void da_reduce_sum(Strided d, const float* x, float* out, long long nOut, long long nRed) {
    __shared__ double part[256];
    for (long long o = blockIdx.x; o < nOut; o += gridDim.x) {
        // base offset of output o: decompose o over the kept axes (row-major)
        long long base = 0, rem = o;
        for (int k = d.rank - 1; k >= 0; k--) if (d.s1[k]) {
            base += (rem % d.shape[k]) * d.s0[k];
            rem /= d.shape[k];
        }
        double acc = 0;
        for (long long r = threadIdx.x; r < nRed; r += blockDim.x) {
            long long off = base, rr = r;
            for (int k = d.rank - 1; k >= 0; k--) if (!d.s1[k]) {
                off += (rr % d.shape[k]) * d.s0[k];
                rr /= d.shape[k];
            }
            acc += x[off];
        }
        part[threadIdx.x] = acc;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (threadIdx.x < s) part[threadIdx.x] += part[threadIdx.x + s];
            __syncthreads();
        }
        if (threadIdx.x == 0) out[o] = (float) part[0];
        __syncthreads();
    }
}

// The same sum with one thread per output, for few reduced elements (fewer than a block's threads, which would idle):
// in double, in increasing index order, as the reference adds; neighbouring threads read neighbouring x where the kept
// axes are the inner ones.
extern "C" __global__ void da_reduce_sum_thread(Strided d, const float* x, float* out, long long nOut, long long nRed) {
    GRID_STRIDE(o, nOut) {
        long long base = 0, rem = o;
        for (int k = d.rank - 1; k >= 0; k--) if (d.s1[k]) {
            base += (rem % d.shape[k]) * d.s0[k];
            rem /= d.shape[k];
        }
        double acc = 0;
        for (long long r = 0; r < nRed; r++) {
            long long off = base, rr = r;
            for (int k = d.rank - 1; k >= 0; k--) if (!d.s1[k]) {
                off += (rr % d.shape[k]) * d.s0[k];
                rr /= d.shape[k];
            }
            acc += x[off];
        }
        out[o] = (float) acc;
    }
}

extern "C" __global__ void da_axpy(float alpha, const float* x, float* y, long long n) {
    GRID_STRIDE(i, n) y[i] += alpha * x[i];
}

extern "C" __global__ void da_scale(float alpha, float* x, long long n) {
    GRID_STRIDE(i, n) x[i] *= alpha;
}

// torch.optim.Adam, as ReferenceBackend.adam: stepSize = lr / bc1, sqrtBc2 = sqrt(bc2) computed on the host in double.
extern "C" __global__ void da_adam(float beta1, float beta2, float eps, float weightDecay, double stepSize, double sqrtBc2,
                                   float* p, const float* g, float* m, float* v, long long n) {
    GRID_STRIDE(i, n) {
        float gi = g[i] + weightDecay * p[i];
        float mi = beta1 * m[i] + (1 - beta1) * gi;
        float vi = beta2 * v[i] + (1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        double denom = sqrt((double) vi) / sqrtBc2 + eps;
        p[i] = (float) (p[i] - stepSize * mi / denom);
    }
}

// Pooling and resampling geometry, NCDHW; all ints (PoolArgs.java writes it).
struct Pool {
    int nc, d, h, w;
    int kd, kh, kw, sd, sh, sw;
    int od, oh, ow;
};

// Index in x of the first maximum of window (nc, oz, oy, ox); a NaN is taken as the maximum (as PyTorch).
__device__ __forceinline__ long long window_argmax(const Pool& g, const float* x, long long nc, int oz, int oy, int ox) {
    long long base = nc * g.d * g.h * g.w, best = -1;
    float bestV = 0;
    for (int i = 0; i < g.kd; i++)
        for (int j = 0; j < g.kh; j++)
            for (int k = 0; k < g.kw; k++) {
                long long xi = base + ((long long) (oz * g.sd + i) * g.h + oy * g.sh + j) * g.w + ox * g.sw + k;
                float v = x[xi];
                if (best < 0 || v > bestV || (isnan(v) && !isnan(bestV))) { best = xi; bestV = v; }
            }
    return best;
}

extern "C" __global__ void da_maxpool(Pool g, const float* x, float* y, long long n) {
    GRID_STRIDE(i, n) {
        long long r = i;
        int ox = r % g.ow; r /= g.ow;
        int oy = r % g.oh; r /= g.oh;
        int oz = r % g.od; r /= g.od;
        y[i] = x[window_argmax(g, x, r, oz, oy, ox)];
    }
}

// dx[xi] = sum of dy over the windows whose first maximum is xi, in increasing window order (as the reference adds).
extern "C" __global__ void da_maxpool_backward(Pool g, const float* x, const float* dy, float* dx, long long n) {
    GRID_STRIDE(i, n) {
        long long r = i;
        int xx = r % g.w; r /= g.w;
        int yy = r % g.h; r /= g.h;
        int zz = r % g.d; r /= g.d;
        // windows o with o*s <= p < o*s + k, inside the output
        int z0 = zz >= g.kd ? (zz - g.kd) / g.sd + 1 : 0, z1 = min(zz / g.sd, g.od - 1);
        int y0 = yy >= g.kh ? (yy - g.kh) / g.sh + 1 : 0, y1 = min(yy / g.sh, g.oh - 1);
        int x0 = xx >= g.kw ? (xx - g.kw) / g.sw + 1 : 0, x1 = min(xx / g.sw, g.ow - 1);
        float acc = 0;
        for (int oz = z0; oz <= z1; oz++)
            for (int oy = y0; oy <= y1; oy++)
                for (int ox = x0; ox <= x1; ox++)
                    if (window_argmax(g, x, r, oz, oy, ox) == i)
                        acc += dy[((r * g.od + oz) * g.oh + oy) * g.ow + ox];
        dx[i] = acc;
    }
}

// Nearest upsampling by integer factors (kd, kh, kw of Pool hold fd, fh, fw; d, h, w the input size).
extern "C" __global__ void da_upsample(Pool g, const float* x, float* y, long long n) {
    int od = g.d * g.kd, oh = g.h * g.kh, ow = g.w * g.kw;
    GRID_STRIDE(i, n) {
        long long r = i;
        int xx = r % ow; r /= ow;
        int yy = r % oh; r /= oh;
        int zz = r % od; r /= od;
        y[i] = x[((r * g.d + zz / g.kd) * g.h + yy / g.kh) * g.w + xx / g.kw];
    }
}

// dx = sum of dy over each block, in increasing output order (as the reference adds).
extern "C" __global__ void da_upsample_backward(Pool g, const float* dy, float* dx, long long n) {
    int od = g.d * g.kd, oh = g.h * g.kh, ow = g.w * g.kw;
    GRID_STRIDE(i, n) {
        long long r = i;
        int xx = r % g.w; r /= g.w;
        int yy = r % g.h; r /= g.h;
        int zz = r % g.d; r /= g.d;
        float acc = 0;
        for (int a = 0; a < g.kd; a++)
            for (int b = 0; b < g.kh; b++)
                for (int c = 0; c < g.kw; c++)
                    acc += dy[((r * od + zz * g.kd + a) * (long long) oh + yy * g.kh + b) * ow + xx * g.kw + c];
        dx[i] = acc;
    }
}

// out[nc, z, y, x] = in[nc, z - pz, y - py, x - px], 0 outside in: zero-pads (p > 0) or crops (p < 0) a volume, so that
// convolutions whose padding after an axis differs from the padding before (TensorFlow's 'same') run as cuDNN's
// symmetric ones. Pool.d/h/w = the input size, od/oh/ow = the output size, kd/kh/kw = pz/py/px.
extern "C" __global__ void da_pad(Pool g, const float* in, float* out, long long n) {
    GRID_STRIDE(i, n) {
        long long r = i;
        int xx = r % g.ow; r /= g.ow;
        int yy = r % g.oh; r /= g.oh;
        int zz = r % g.od; r /= g.od;
        int sz = zz - g.kd, sy = yy - g.kh, sx = xx - g.kw;
        out[i] = sz >= 0 && sz < g.d && sy >= 0 && sy < g.h && sx >= 0 && sx < g.w
                 ? in[((r * g.d + sz) * g.h + sy) * (long long) g.w + sx] : 0.0f;
    }
}

// Batch-norm training forward with one value per channel (n · spatial = 1), which cuDNN does not take: mean = x,
// variance 0, y = beta, invStd = 1/sqrt(eps), running variance decays towards 0 (the unbiased variance of one value is
// taken as 0, as the reference does). beta, rm and rv may be null (0).
extern "C" __global__ void da_bn_single(int c, float eps, float momentum, const float* x, const float* beta,
                                        float* rm, float* rv, float* y, float* saveMean, float* saveInvStd) {
    GRID_STRIDE(i, c) {
        y[i] = beta ? beta[i] : 0.0f;
        saveMean[i] = x[i];
        saveInvStd[i] = (float) (1.0 / sqrt(0.0 + (double) eps));
        if (rm && rv) {
            rm[i] = (float) ((1.0 - momentum) * rm[i] + (double) momentum * x[i]);
            rv[i] = (float) ((1.0 - momentum) * rv[i]);
        }
    }
}
