package dev.deepanat.kernels.cuda;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.backend.AdamStep;
import dev.deepanat.engine.backend.BatchNormGeometry;
import dev.deepanat.engine.backend.BinaryOp;
import dev.deepanat.engine.backend.HeapStorage;
import dev.deepanat.engine.backend.PoolGeometry;
import dev.deepanat.engine.backend.UnaryOp;
import dev.deepanat.engine.backend.UpsampleGeometry;
import dev.deepanat.engine.backend.View;
import dev.deepanat.engine.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.deepanat.engine.Conformance.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Our CUDA kernels run on the CPU against the reference backend: {@code deepanat.cu} compiled as C++ with
 * {@code host_emulation.h} (g++; skipped with one line where it is absent), launched one block at a time with one
 * thread each and deliberately few blocks (so every grid-stride loop wraps), through {@link KernelCalls}, the very
 * argument lists {@link CudaBackend} launches on the device. This checks the index arithmetic, the argument order and
 * the float semantics of every kernel without a GPU; it does not check their parallel behavior (races, shared memory
 * with more than one thread), which only a device run shows.
 */
class KernelEmulationTest {
    static final ReferenceBackend REF = ReferenceBackend.INSTANCE;
    static final int MAX_BLOCKS = 3;
    /** struct Strided { int rank; int shape[8]; int s0[8]; int s1[8]; } and struct Pool { 13 ints }, passed by value. */
    static final MemoryLayout STRIDED = MemoryLayout.structLayout(ValueLayout.JAVA_INT,
            MemoryLayout.sequenceLayout(Descriptors.MAX_RANK, ValueLayout.JAVA_INT),
            MemoryLayout.sequenceLayout(Descriptors.MAX_RANK, ValueLayout.JAVA_INT),
            MemoryLayout.sequenceLayout(Descriptors.MAX_RANK, ValueLayout.JAVA_INT));
    static final MemoryLayout POOL = MemoryLayout.structLayout(java.util.stream.IntStream.range(0, 13)
            .mapToObj(i -> ValueLayout.JAVA_INT).toArray(MemoryLayout[]::new));

    /** Threads per block in the threaded launches (a power of two, as the block reduction needs). */
    static final int THREADS = 8;

    static Arena arena;
    static MethodHandle block, blockThreads, thread;
    static final Map<String, MethodHandle> kernels = new HashMap<>();
    static final Map<String, List<MemoryLayout>> params = new HashMap<>();
    static KernelCalls calls, threaded;

    @BeforeAll
    static void compile() throws IOException, InterruptedException {
        Path gpp = Path.of("/usr/bin/g++");
        Assumptions.assumeTrue(Files.isExecutable(gpp), "no g++: the host emulation of the CUDA kernels is not run");
        Path repo = Path.of(System.getProperty("deepanat.repo", "."));
        Path header = repo.resolve("src-test/src/test/cuda/host_emulation.h");
        Path dir = Files.createTempDirectory("deepanat-emu");
        Path src = Files.writeString(dir.resolve("deepanat.cu"), CudaKernels.source()), lib = dir.resolve("libemu.so");
        Process p = new ProcessBuilder(gpp.toString(), "-shared", "-fPIC", "-O1", "-ffp-contract=off", "-include",
                header.toString(), "-x", "c++", src.toString(), "-o", lib.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "g++ on deepanat.cu:\n" + log);
        arena = Arena.ofShared();
        SymbolLookup l = SymbolLookup.libraryLookup(lib, arena);
        Linker linker = Linker.nativeLinker();
        block = linker.downcallHandle(l.find("emu_block").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        blockThreads = linker.downcallHandle(l.find("emu_block_threads").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        thread = linker.downcallHandle(l.find("emu_thread").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
        Matcher m = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(([^)]*)\\)").matcher(CudaKernels.source());
        while (m.find()) {
            List<MemoryLayout> ps = new ArrayList<>();
            for (String param : m.group(2).split(",")) ps.add(layout(param.trim()));
            params.put(m.group(1), ps);
            kernels.put(m.group(1), linker.downcallHandle(l.find(m.group(1)).orElseThrow(), FunctionDescriptor.ofVoid(ps.toArray(MemoryLayout[]::new))));
        }
        calls = new KernelCalls(new KernelCalls.Launcher() {
            @Override public void launch(String kernel, long n, Object... args) { run(kernel, Descriptors.blocks(n, 1, MAX_BLOCKS), args); }
            @Override public void launchBlocks(String kernel, int blocks, Object... args) { run(kernel, Math.min(blocks, MAX_BLOCKS), args); }
        });
        threaded = new KernelCalls(new KernelCalls.Launcher() {
            @Override public void launch(String kernel, long n, Object... args) { runThreaded(kernel, Descriptors.blocks(n, THREADS, MAX_BLOCKS), args); }
            @Override public void launchBlocks(String kernel, int blocks, Object... args) { runThreaded(kernel, Math.min(blocks, MAX_BLOCKS), args); }
        });
    }

    @AfterAll
    static void close() {
        if (arena != null) arena.close();
    }

    static MemoryLayout layout(String param) {
        if (param.contains("*")) return ValueLayout.ADDRESS;
        if (param.startsWith("Strided")) return STRIDED;
        if (param.startsWith("Pool")) return POOL;
        if (param.startsWith("long long")) return ValueLayout.JAVA_LONG;
        if (param.startsWith("int")) return ValueLayout.JAVA_INT;
        if (param.startsWith("float")) return ValueLayout.JAVA_FLOAT;
        if (param.startsWith("double")) return ValueLayout.JAVA_DOUBLE;
        throw new IllegalArgumentException("kernel parameter " + param);
    }

    /**
     * One emulated launch with {@link #THREADS} threads per block: each thread of a block is a platform thread (one
     * OS thread: threadIdx is thread-local there) that calls the kernel; the blocks run one after another.
     */
    static void runThreaded(String kernel, int blocks, Object... args) {
        try (Arena a = Arena.ofShared()) {
            Object[] values = values(a, kernel, args);
            for (int b = 0; b < blocks; b++) {
                blockThreads.invoke(b, blocks, THREADS);
                Throwable[] failed = new Throwable[THREADS];
                Thread[] ts = new Thread[THREADS];
                for (int t = 0; t < THREADS; t++) {
                    int ti = t;
                    ts[t] = Thread.ofPlatform().start(() -> {
                        try {
                            thread.invoke(ti);
                            kernels.get(kernel).invokeWithArguments(values);
                        } catch (Throwable e) {
                            failed[ti] = e;
                        }
                    });
                }
                for (Thread t : ts) t.join();
                for (Throwable e : failed) if (e != null) throw new AssertionError(kernel + ": " + e, e);
            }
        } catch (Throwable t) {
            if (t instanceof AssertionError e) throw e;
            throw new AssertionError(kernel + ": " + t, t);
        }
    }

    /** The boxed arguments as CudaKernels passes them, typed by the kernel's C parameters. */
    static Object[] values(Arena a, String kernel, Object... args) {
        List<MemoryLayout> ps = params.get(kernel);
        if (ps == null) fail("no kernel " + kernel + " in deepanat.cu");
        assertEquals(ps.size(), args.length, kernel + ": argument count");
        Object[] values = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            MemoryLayout want = ps.get(i);
            Object v = args[i];
            values[i] = switch (v) {
                case Long l when want == ValueLayout.ADDRESS -> MemorySegment.ofAddress(l);
                case Long l when want == ValueLayout.JAVA_LONG -> l;
                case Integer n when want == ValueLayout.JAVA_INT -> n;
                case Float f when want == ValueLayout.JAVA_FLOAT -> f;
                case Double d when want == ValueLayout.JAVA_DOUBLE -> d;
                case int[] st when st.length * 4L == want.byteSize() && !(want instanceof ValueLayout) -> a.allocateFrom(ValueLayout.JAVA_INT, st);
                default -> throw new AssertionError(kernel + ": argument " + i + " (" + v.getClass().getSimpleName() + ") does not fit " + want);
            };
        }
        return values;
    }

    /** One emulated launch: the boxed arguments as CudaKernels passes them, typed by the kernel's C parameters. */
    static void run(String kernel, int blocks, Object... args) {
        try (Arena a = Arena.ofConfined()) {
            Object[] values = values(a, kernel, args);
            for (int b = 0; b < blocks; b++) {
                block.invoke(b, blocks);
                kernels.get(kernel).invokeWithArguments(values);
            }
        } catch (Throwable t) {
            if (t instanceof AssertionError e) throw e;
            throw new AssertionError(kernel + ": " + t, t);
        }
    }

    // ---- host "device" memory ----------------------------------------------------------------------------------------
    static long put(Arena a, float[] data) {
        return a.allocateFrom(ValueLayout.JAVA_FLOAT, data).address();
    }

    static long nan(Arena a, int n) {
        float[] f = new float[Math.max(1, n)];
        java.util.Arrays.fill(f, Float.NaN);
        return put(a, f);
    }

    static float[] get(long p, int n) {
        return MemorySegment.ofAddress(p).reinterpret(4L * n).toArray(ValueLayout.JAVA_FLOAT);
    }

    static HeapStorage h(float[] a) {
        return new HeapStorage(REF, a.clone());
    }

    static void near(String what, float[] want, float[] got, double rel) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i]) && Float.isNaN(got[i]) || want[i] == got[i]) continue;
            if (!(Math.abs(want[i] - got[i]) <= rel * Math.abs(want[i])))
                fail(what + ": element " + i + " is " + got[i] + ", the reference has " + want[i]);
        }
    }

    static float[] withSpecials(SplittableRandom rng, int n) {
        float[] x = random(rng, n);
        float[] sp = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 30f, -30f, 1e-30f, 2.5f};
        for (int i = 0; i < sp.length && i < n; i++) x[i * 3 % n] = sp[i];
        return x;
    }

    // ---- the kernels -------------------------------------------------------------------------------------------------
    @Test
    void fillUnaryAxpyScale() {
        SplittableRandom rng = new SplittableRandom(1);
        try (Arena a = Arena.ofConfined()) {
            for (int n : new int[] {1, 7, 1000}) {
                float[] x = withSpecials(rng, n), y = random(rng, n);
                long o = nan(a, n);
                calls.fill(o, n, -2.5f);
                float[] want = new float[n];
                java.util.Arrays.fill(want, -2.5f);
                assertArrayEquals(want, get(o, n), "fill");
                for (UnaryOp op : UnaryOp.values())
                    for (float[] ab : new float[][] {{0.3f, 0.7f}, {2f, 3f}, {-0.5f, 0.25f}}) {
                        HeapStorage r = h(new float[n]);
                        REF.unary(op, ab[0], ab[1], h(x), r, n);
                        long out = nan(a, n);
                        calls.unary(op, ab[0], ab[1], put(a, x), out, n);
                        near("unary " + op + " a=" + ab[0] + " n=" + n, r.data(), get(out, n), 1e-6);
                    }
                HeapStorage ry = h(y);
                REF.axpy(0.75f, h(x), ry, n);
                long yp = put(a, y);
                calls.axpy(0.75f, put(a, x), yp, n);
                assertArrayEquals(ry.data(), get(yp, n), "axpy");
                HeapStorage rx = h(x);
                REF.scale(-1.5f, rx, n);
                long xp = put(a, x);
                calls.scale(-1.5f, xp, n);
                assertArrayEquals(rx.data(), get(xp, n), "scale");
            }
        }
    }

    @Test
    void binaryWithBroadcastingStridesAndOffsets() {
        SplittableRandom rng = new SplittableRandom(2);
        try (Arena a = Arena.ofConfined()) {
            float[] xs = random(rng, 200), ys = random(rng, 200);
            int[][][] cases = { // shape, x strides, y strides, offsets {x, y}
                    {{2, 3, 4}, {12, 4, 1}, {0, 1, 0}, {0, 5}},
                    {{4, 3, 2}, {1, 4, 12}, {6, 2, 1}, {3, 0}},      // permuted x
                    {{5}, {1}, {0}, {7, 9}},                         // scalar y
                    {{}, {}, {}, {4, 2}},                            // rank 0
                    {{2, 1, 3, 1, 2, 1, 2, 2}, {24, 24, 8, 8, 4, 4, 2, 1}, {0, 0, 2, 0, 1, 0, 0, 0}, {0, 0}}, // rank 8
            };
            for (BinaryOp op : BinaryOp.values())
                for (int[][] c : cases) {
                    View rx = new View(h(xs), c[3][0], c[0], c[1]), ry = new View(h(ys), c[3][1], c[0], c[2]);
                    int n = (int) Shapes.numel(c[0]);
                    HeapStorage r = h(new float[n]);
                    REF.binary(op, rx, ry, r);
                    long xp = put(a, xs), yp = put(a, ys), out = nan(a, n);
                    calls.binary(op, new View(null, c[3][0], c[0], c[1]), xp, new View(null, c[3][1], c[0], c[2]), yp, out);
                    assertArrayEquals(r.data(), get(out, n), "binary " + op + " " + java.util.Arrays.toString(c[0]));
                }
        }
    }

    @Test
    void stridedCopy() {
        SplittableRandom rng = new SplittableRandom(3);
        try (Arena a = Arena.ofConfined()) {
            float[] src = random(rng, 300);
            int[][][] cases = { // shape, src strides, dst strides, offsets {src, dst}
                    {{3, 4, 5}, {1, 3, 12}, {20, 5, 1}, {2, 1}},     // permute into dense
                    {{2, 6}, {6, 1}, {12, 1}, {0, 3}},               // into a wider row (concat)
                    {{4, 2}, {2, 1}, {1, 4}, {5, 0}},                // transpose
            };
            for (int[][] c : cases) {
                float[] dst = random(rng, 100);
                HeapStorage rd = h(dst);
                REF.copy(new View(h(src), c[3][0], c[0], c[1]), new View(rd, c[3][1], c[0], c[2]));
                long dp = put(a, dst);
                calls.copy(new View(null, c[3][0], c[0], c[1]), put(a, src), new View(null, c[3][1], c[0], c[2]), dp);
                assertArrayEquals(rd.data(), get(dp, 100), "copy " + java.util.Arrays.toString(c[0]));
            }
        }
    }

    @Test
    void reduceSumOverAnyAxes() {
        SplittableRandom rng = new SplittableRandom(4);
        int[] shape = {2, 3, 4, 5};
        float[] x = random(rng, 120);
        try (Arena a = Arena.ofConfined()) {
            // many reduced elements per output: a block each (da_reduce_sum); the cases below run a thread each
            for (int[][] c : new int[][][] {{{4, 50, 3}, {1, 1, 3}}, {{300}, {1}}, {{2, 130}, {2, 1}}, {{130, 2}, {1, 2}}}) {
                assertTrue(Shapes.numel(c[0]) / Shapes.numel(c[1]) >= KernelCalls.THREAD_REDUCE_LIMIT);
                float[] xs = random(rng, (int) Shapes.numel(c[0]));
                int n = (int) Shapes.numel(c[1]);
                HeapStorage r = h(new float[n]);
                REF.reduceSum(h(xs), c[0], c[1], r);
                long out = nan(a, n);
                calls.reduceSum(put(a, xs), c[0], c[1], out);
                near("reduceSum " + java.util.Arrays.toString(c[0]) + " to " + java.util.Arrays.toString(c[1]), r.data(), get(out, n), 1e-6);
            }
            for (int[] outShape : new int[][] {{1, 3, 1, 5}, {1, 1, 1, 1}, {2, 1, 4, 1}, {2, 3, 4, 5}, {1, 3, 4, 5}, {2, 3, 4, 1}}) {
                int n = (int) Shapes.numel(outShape);
                HeapStorage r = h(new float[n]);
                REF.reduceSum(h(x), shape, outShape, r);
                long out = nan(a, n);
                calls.reduceSum(put(a, x), shape, outShape, out);
                near("reduceSum to " + java.util.Arrays.toString(outShape), r.data(), get(out, n), 1e-6);
            }
            HeapStorage r = h(new float[1]);
            REF.reduceSum(h(new float[] {3f}), new int[0], new int[0], r);
            long out = nan(a, 1);
            calls.reduceSum(put(a, new float[] {3f}), new int[0], new int[0], out);
            assertArrayEquals(r.data(), get(out, 1), "reduceSum of a scalar");
        }
    }

    @Test
    void adamIsTorchsUpdate() {
        SplittableRandom rng = new SplittableRandom(5);
        int n = 1001;
        float[] p = random(rng, n), g = random(rng, n), m = random(rng, n), v = random(rng, n);
        for (int i = 0; i < n; i++) v[i] = Math.abs(v[i]);
        try (Arena a = Arena.ofConfined()) {
            for (AdamStep s : new AdamStep[] {new AdamStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1), new AdamStep(2e-4f, 0.5f, 0.99f, 1e-7f, 1e-2f, 37)}) {
                HeapStorage rp = h(p), rm = h(m), rv = h(v);
                REF.adam(s, rp, h(g), rm, rv, n);
                long pp = put(a, p), mp = put(a, m), vp = put(a, v);
                calls.adam(s, pp, put(a, g), mp, vp, n);
                assertArrayEquals(rm.data(), get(mp, n), "adam m " + s);
                assertArrayEquals(rv.data(), get(vp, n), "adam v " + s);
                near("adam p " + s, rp.data(), get(pp, n), 1e-7);
            }
        }
    }

    static PoolGeometry pool(int n, int c, int d, int h, int w, int kd, int kh, int kw, int sd, int sh, int sw) {
        return new PoolGeometry(n, c, d, h, w, kd, kh, kw, sd, sh, sw, (d - kd) / sd + 1, (h - kh) / sh + 1, (w - kw) / sw + 1);
    }

    @Test
    void maxPoolAndItsBackwardAreExact() {
        SplittableRandom rng = new SplittableRandom(6);
        try (Arena a = Arena.ofConfined()) {
            for (PoolGeometry g : new PoolGeometry[] {pool(2, 3, 8, 6, 10, 2, 2, 2, 2, 2, 2), pool(1, 2, 7, 5, 9, 2, 2, 2, 2, 2, 2),
                    pool(1, 2, 1, 9, 9, 1, 3, 3, 1, 2, 2), pool(1, 2, 3, 5, 7, 2, 2, 2, 1, 1, 1), pool(1, 2, 6, 9, 12, 3, 3, 3, 3, 3, 3)}) {
                int in = g.n() * g.c() * g.d() * g.h() * g.w(), out = (int) g.outputSize();
                float[] x = random(rng, in), dy = random(rng, out);
                for (int i = 0; i < in; i += 5) x[i] = x[(i * 7) % in];       // ties: the first maximum wins
                if (in > 20) x[13] = Float.NaN;                                // NaN propagates
                HeapStorage ry = h(new float[out]), rdx = h(new float[in]);
                REF.maxPool3d(g, h(x), ry);
                REF.maxPool3dBackward(g, h(x), h(dy), rdx);
                long xp = put(a, x), yp = nan(a, out), dxp = nan(a, in);
                calls.maxPool(g, xp, yp);
                calls.maxPoolBackward(g, xp, put(a, dy), dxp);
                assertArrayEquals(ry.data(), get(yp, out), "maxPool " + g);
                assertArrayEquals(rdx.data(), get(dxp, in), "maxPool backward " + g);
            }
        }
    }

    @Test
    void upsampleAndItsBackwardAreExact() {
        SplittableRandom rng = new SplittableRandom(7);
        try (Arena a = Arena.ofConfined()) {
            for (UpsampleGeometry g : new UpsampleGeometry[] {new UpsampleGeometry(2, 3, 2, 3, 4, 2, 2, 2),
                    new UpsampleGeometry(1, 2, 1, 5, 3, 1, 2, 3), new UpsampleGeometry(1, 1, 3, 1, 2, 3, 1, 2)}) {
                int in = (int) g.inputSize(), out = in * g.fd() * g.fh() * g.fw();
                float[] x = random(rng, in), dy = random(rng, out);
                HeapStorage ry = h(new float[out]), rdx = h(new float[in]);
                REF.upsampleNearest3d(g, h(x), ry);
                REF.upsampleNearest3dBackward(g, h(dy), rdx);
                long yp = nan(a, out), dxp = nan(a, in);
                calls.upsample(g, put(a, x), yp);
                calls.upsampleBackward(g, put(a, dy), dxp);
                assertArrayEquals(ry.data(), get(yp, out), "upsample " + g);
                assertArrayEquals(rdx.data(), get(dxp, in), "upsample backward " + g);
            }
        }
    }

    @Test
    void padAndCropAsTheArithmeticTestDefinesThem() {
        SplittableRandom rng = new SplittableRandom(8);
        try (Arena a = Arena.ofConfined()) {
            float[] x = random(rng, 2 * 3 * 4 * 5);
            int[][] cases = {{3, 4, 5, 0, 1, 0, 4, 6, 5}, {3, 4, 5, -1, 0, -2, 2, 4, 3}, {3, 4, 5, 1, 1, 1, 5, 6, 7}};
            for (int[] c : cases) {
                int n = 2 * c[6] * c[7] * c[8];
                long out = nan(a, n);
                calls.pad(2, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], put(a, x), out);
                assertArrayEquals(CudaArithmeticTest.pad(x, 2, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]), get(out, n),
                        "pad " + java.util.Arrays.toString(c));
            }
        }
    }

    @Test
    void batchNormWithOneValuePerChannel() {
        SplittableRandom rng = new SplittableRandom(9);
        BatchNormGeometry g = new BatchNormGeometry(1, 5, 1);
        float[] x = random(rng, 5), beta = random(rng, 5), rm = random(rng, 5), rv = random(rng, 5);
        try (Arena a = Arena.ofConfined()) {
            for (boolean withBeta : new boolean[] {true, false})
                for (boolean running : new boolean[] {true, false}) {
                    HeapStorage y = h(new float[5]), sm = h(new float[5]), si = h(new float[5]), rrm = h(rm), rrv = h(rv);
                    REF.batchNormForwardTraining(g, 0.1f, 1e-5f, h(x), null, withBeta ? h(beta) : null, running ? rrm : null,
                            running ? rrv : null, y, sm, si);
                    long yp = nan(a, 5), smp = nan(a, 5), sip = nan(a, 5), rmp = put(a, rm), rvp = put(a, rv);
                    calls.batchNormSingle(5, 1e-5f, 0.1f, put(a, x), withBeta ? put(a, beta) : 0L, running ? rmp : 0L,
                            running ? rvp : 0L, yp, smp, sip);
                    String what = " beta=" + withBeta + " running=" + running;
                    near("y" + what, y.data(), get(yp, 5), 1e-6);
                    near("saveMean" + what, sm.data(), get(smp, 5), 1e-6);
                    near("saveInvStd" + what, si.data(), get(sip, 5), 1e-6);
                    near("running mean" + what, rrm.data(), get(rmp, 5), 1e-6);
                    near("running var" + what, rrv.data(), get(rvp, 5), 1e-6);
                }
        }
    }

    @Test
    void theBlockReductionWithSeveralThreadsPerBlock() {
        // da_reduce_sum's shared-memory tree and barriers with 8 threads a block: reduced counts below, at and above
        // the thread count, not a multiple of it, and outputs that wrap the grid
        SplittableRandom rng = new SplittableRandom(10);
        try (Arena a = Arena.ofShared()) {
            for (int[][] c : new int[][][] {{{2, 3, 4, 5}, {1, 3, 1, 5}}, {{2, 3, 4, 5}, {1, 1, 1, 1}}, {{2, 3, 4, 5}, {2, 3, 4, 1}},
                    {{7, 3}, {1, 3}}, {{3, 8}, {3, 1}}, {{5, 17}, {5, 1}}, {{4, 5}, {4, 5}},
                    {{4, 50, 3}, {1, 1, 3}}, {{300}, {1}}, {{2, 131}, {2, 1}}, {{133, 3}, {1, 3}}}) {
                int[] shape = c[0], outShape = c[1];
                float[] x = random(rng, (int) Shapes.numel(shape));
                int n = (int) Shapes.numel(outShape);
                HeapStorage r = h(new float[n]);
                REF.reduceSum(h(x), shape, outShape, r);
                long out = nan(a, n);
                threaded.reduceSum(put(a, x), shape, outShape, out);
                near("reduceSum with " + THREADS + " threads, " + java.util.Arrays.toString(shape) + " to "
                        + java.util.Arrays.toString(outShape), r.data(), get(out, n), 1e-6);
            }
        }
    }

    @Test
    void gridStrideKernelsWithSeveralThreadsPerBlock() {
        SplittableRandom rng = new SplittableRandom(11);
        try (Arena a = Arena.ofShared()) {
            for (int n : new int[] {1, 7, 8, 9, 100}) {
                float[] x = random(rng, n), y = random(rng, n);
                HeapStorage ry = h(y);
                REF.axpy(0.5f, h(x), ry, n);
                long yp = put(a, y);
                threaded.axpy(0.5f, put(a, x), yp, n);
                assertArrayEquals(ry.data(), get(yp, n), "axpy with " + THREADS + " threads, n=" + n);
            }
            PoolGeometry g = pool(2, 3, 8, 6, 10, 2, 2, 2, 2, 2, 2);
            int in = g.n() * g.c() * g.d() * g.h() * g.w(), out = (int) g.outputSize();
            float[] x = random(rng, in), dy = random(rng, out);
            HeapStorage rdx = h(new float[in]);
            REF.maxPool3dBackward(g, h(x), h(dy), rdx);
            long dxp = nan(a, in);
            threaded.maxPoolBackward(g, put(a, x), put(a, dy), dxp);
            assertArrayEquals(rdx.data(), get(dxp, in), "maxPool backward with " + THREADS + " threads");
        }
    }
}
