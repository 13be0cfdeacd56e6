package dev.deepanat.kernels.cuda;

import dev.deepanat.engine.backend.ConvGeometry;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.deepanat.kernels.cuda.Fn.INT;
import static dev.deepanat.kernels.cuda.Fn.LONG;

/**
 * Convolutions through cuDNN's legacy API. Per geometry and TF32 setting (a {@link Key}) one {@link Plan}: the
 * descriptors, the {@link Descriptors.ConvPlan} that maps the geometry onto cuDNN's symmetric padding, and the
 * algorithm of each pass, chosen once with the {@code _v7} heuristics ({@link #select}: the first in cuDNN's ranking
 * that runs with the math allowed and a workspace within the limit) and cached with its workspace size. TF32 is allowed as PyTorch allows it for convolutions
 * (its default), unless {@code -Ddeepanat.cuda.tf32=false} or {@code DEEPANAT_CUDA_TF32=0}.
 */
final class CudaConv implements AutoCloseable {
    /** What a cached plan depends on. */
    record Key(ConvGeometry g, boolean tf32) {}

    static final int FWD = 0, BWD_DATA = 1, BWD_FILTER = 2;

    /** TF32 on unless the property or the environment turn it off. */
    static boolean tf32Default(String property, String env) {
        if (property != null && !property.isBlank()) return Boolean.parseBoolean(property.trim());
        if (env != null && !env.isBlank()) return !(env.trim().equals("0") || env.trim().equalsIgnoreCase("false"));
        return true;
    }

    /** One entry of the {@code _v7} heuristics' ranked list (cudnnConvolution*AlgoPerf_t). */
    record Perf(int algo, int status, int math) {}

    /** The algorithm of a pass, the math type it runs with and its workspace size. */
    record Choice(int algo, int math, long workspace) {}

    /** The workspace size of an algorithm run with a math type, or a negative number when cuDNN refuses it. */
    interface WorkspaceQuery {
        long bytes(int algo, int math);
    }

    /**
     * The algorithm of one pass from the {@code _v7} ranked list, in its order: entries whose status is not success are
     * skipped, and so is {@code CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION} (it may round fp32 to fp16). Without TF32 every
     * candidate runs with {@code CUDNN_FMA_MATH} (the list reports {@code DEFAULT} or {@code TENSOR_OP} math, never FMA,
     * so the math it reports says nothing about the FMA version); with TF32 with the math the list reports. The first
     * candidate whose workspace query succeeds and whose workspace is at most {@code limit} bytes wins; when every one
     * that cuDNN accepts needs more, the one needing least. Null when cuDNN accepts none.
     */
    static Choice select(List<Perf> perfs, boolean tf32, long limit, WorkspaceQuery query) {
        Choice smallest = null;
        java.util.Set<Long> tried = new java.util.HashSet<>();
        for (Perf p : perfs) {
            if (p.status() != 0 || p.math() == Cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION) continue;
            int math = tf32 ? p.math() : Cudnn.CUDNN_FMA_MATH;
            if (!tried.add(((long) p.algo() << 32) | math)) continue;
            long bytes = query.bytes(p.algo(), math);
            if (bytes < 0) continue;
            Choice c = new Choice(p.algo(), math, bytes);
            if (bytes <= limit) return c;
            if (smallest == null || bytes < smallest.workspace()) smallest = c;
        }
        return smallest;
    }

    final class Plan implements AutoCloseable {
        final ConvGeometry g;
        final Descriptors.ConvPlan pad;
        final Cudnn.TensorDesc x, y, bias;
        final Cudnn.FilterDesc w;
        final Cudnn.ConvDesc[] conv = new Cudnn.ConvDesc[3];
        final int[] algo = {-1, -1, -1};
        final long[] workspace = new long[3];

        Plan(Key k) {
            g = k.g();
            pad = Descriptors.ConvPlan.of(g);
            // a 2D convolution (depth 1 everywhere) goes to cuDNN as 4D, where it has more and faster algorithms
            boolean flat = Descriptors.isFlat(g, pad);
            x = dnn.new TensorDesc(Descriptors.drop(Descriptors.cudnnInput(g, pad), flat));
            y = dnn.new TensorDesc(Descriptors.drop(new int[] {g.n(), g.cOut(), g.od(), g.oh(), g.ow()}, flat));
            bias = dnn.new TensorDesc(Descriptors.drop(new int[] {1, g.cOut(), 1, 1, 1}, flat));
            w = dnn.new FilterDesc(Descriptors.drop(new int[] {g.cOut(), g.cIn(), g.kd(), g.kh(), g.kw()}, flat));
            int math = k.tf32() ? Cudnn.CUDNN_DEFAULT_MATH : Cudnn.CUDNN_FMA_MATH;
            int[] cp = pad.cudnnPad(), cs = {g.sd(), g.sh(), g.sw()};
            if (flat) {
                cp = new int[] {cp[1], cp[2]};
                cs = new int[] {cs[1], cs[2]};
            }
            for (int p = 0; p < 3; p++)
                conv[p] = dnn.new ConvDesc(cp, cs, math);
            for (int p = 0; p < 3; p++) choose(p, k.tf32());
        }

        private void choose(int pass, boolean tf32) {
            try (Arena a = Arena.ofConfined()) {
                int max = 8;
                MemorySegment perf = a.allocate(Cudnn.PERF_SIZE * max, 8), count = a.allocate(INT), size = a.allocate(LONG);
                Fn f = switch (pass) {
                    case FWD -> Cudnn.cudnnGetConvolutionForwardAlgorithm_v7;
                    case BWD_DATA -> Cudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7;
                    default -> Cudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7;
                };
                MemorySegment h = handle.handle, c = conv[pass].desc;
                switch (pass) {
                    case FWD -> dnn.call(f, h, x.desc, w.desc, c, y.desc, max, count, perf);
                    case BWD_DATA -> dnn.call(f, h, w.desc, y.desc, c, x.desc, max, count, perf);
                    default -> dnn.call(f, h, x.desc, y.desc, c, w.desc, max, count, perf);
                }
                List<Perf> perfs = new ArrayList<>();
                for (int i = 0; i < Math.min(max, count.get(INT, 0)); i++) {
                    long o = i * Cudnn.PERF_SIZE;
                    perfs.add(new Perf(perf.get(INT, o + Cudnn.PERF_ALGO), perf.get(INT, o + Cudnn.PERF_STATUS),
                            perf.get(INT, o + Cudnn.PERF_MATH)));
                }
                // each candidate with its math type set on the descriptor: the workspace query says whether cuDNN runs it
                Choice ch = select(perfs, tf32, workspaceLimit, (algo, math) -> {
                    if (dnn.raw(Cudnn.cudnnSetConvolutionMathType, c, math) != 0) return -1;
                    int r = switch (pass) {
                        case FWD -> dnn.raw(Cudnn.cudnnGetConvolutionForwardWorkspaceSize, h, x.desc, w.desc, c, y.desc, algo, size);
                        case BWD_DATA -> dnn.raw(Cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize, h, w.desc, y.desc, c, x.desc, algo, size);
                        default -> dnn.raw(Cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize, h, x.desc, y.desc, c, w.desc, algo, size);
                    };
                    return r == 0 ? size.get(LONG, 0) : -1;
                });
                if (ch == null) throw new CudaException(f.symbol() + ": no algorithm cuDNN can run for " + g + " (TF32 "
                        + (tf32 ? "on" : "off") + "; heuristics: " + perfs + ")");
                conv[pass].mathType(ch.math());
                algo[pass] = ch.algo();
                workspace[pass] = ch.workspace();
            }
        }

        @Override
        public void close() {
            for (Cudnn.ConvDesc c : conv) c.close();
            w.close();
            bias.close();
            y.close();
            x.close();
        }
    }

    private final Cudnn dnn;
    private final Cudnn.Handle handle;
    private final long workspaceLimit;
    private final Map<Key, Plan> plans = new HashMap<>();

    /** workspaceLimit: the largest workspace an algorithm may ask for before a leaner one is preferred (bytes). */
    CudaConv(Cudnn dnn, Cudnn.Handle handle, long workspaceLimit) {
        this.dnn = dnn;
        this.handle = handle;
        this.workspaceLimit = workspaceLimit;
    }

    Plan plan(ConvGeometry g, boolean tf32) {
        return plans.computeIfAbsent(new Key(g, tf32), Plan::new);
    }

    int cachedPlans() {
        return plans.size();
    }

    /** y = conv(x, w) (+ bias), x already padded when the plan says so; ws a workspace of at least workspace[FWD]. */
    void forward(Plan p, long x, long w, long bias, long y, long ws) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocateFrom(Fn.FLOAT, 1f), zero = a.allocateFrom(Fn.FLOAT, 0f);
            dnn.call(Cudnn.cudnnConvolutionForward, handle.handle, one, p.x.desc, addr(x), p.w.desc, addr(w), p.conv[FWD].desc,
                    p.algo[FWD], addr(ws), p.workspace[FWD], zero, p.y.desc, addr(y));
            if (bias != 0) dnn.call(Cudnn.cudnnAddTensor, handle.handle, one, p.bias.desc, addr(bias), one, p.y.desc, addr(y));
        }
    }

    /** dx (padded when the plan says so) = conv_transpose(dy, w). */
    void backwardData(Plan p, long dy, long w, long dx, long ws) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocateFrom(Fn.FLOAT, 1f), zero = a.allocateFrom(Fn.FLOAT, 0f);
            dnn.call(Cudnn.cudnnConvolutionBackwardData, handle.handle, one, p.w.desc, addr(w), p.y.desc, addr(dy),
                    p.conv[BWD_DATA].desc, p.algo[BWD_DATA], addr(ws), p.workspace[BWD_DATA], zero, p.x.desc, addr(dx));
        }
    }

    /** dw = x ⋆ dy, and dbias = Σ dy when dbias is not 0. */
    void backwardFilter(Plan p, long x, long dy, long dw, long dbias, long ws) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocateFrom(Fn.FLOAT, 1f), zero = a.allocateFrom(Fn.FLOAT, 0f);
            dnn.call(Cudnn.cudnnConvolutionBackwardFilter, handle.handle, one, p.x.desc, addr(x), p.y.desc, addr(dy),
                    p.conv[BWD_FILTER].desc, p.algo[BWD_FILTER], addr(ws), p.workspace[BWD_FILTER], zero, p.w.desc, addr(dw));
            if (dbias != 0)
                dnn.call(Cudnn.cudnnConvolutionBackwardBias, handle.handle, one, p.y.desc, addr(dy), zero, p.bias.desc, addr(dbias));
        }
    }

    static MemorySegment addr(long p) {
        return MemorySegment.ofAddress(p);
    }

    @Override
    public void close() {
        for (Plan p : plans.values()) p.close();
        plans.clear();
    }
}
