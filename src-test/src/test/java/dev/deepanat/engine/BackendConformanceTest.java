package dev.deepanat.engine;

import dev.deepanat.engine.Conformance.Pair;
import dev.deepanat.engine.backend.AdamStep;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.backend.BatchNormGeometry;
import dev.deepanat.engine.backend.BinaryOp;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.PoolGeometry;
import dev.deepanat.engine.backend.Storage;
import dev.deepanat.engine.backend.UnaryOp;
import dev.deepanat.engine.backend.UpsampleGeometry;
import dev.deepanat.engine.backend.View;
import dev.deepanat.engine.backend.reference.ReferenceBackend;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import dev.deepanat.train.TrainingStep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static dev.deepanat.engine.Conformance.close;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.deepanat.engine.Conformance.conv;
import static dev.deepanat.engine.Conformance.exact;
import static dev.deepanat.engine.Conformance.identical;
import static dev.deepanat.engine.Conformance.on;
import static dev.deepanat.engine.Conformance.onBoth;
import static dev.deepanat.engine.Conformance.random;
import static dev.deepanat.engine.Conformance.same3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Named.named;

/**
 * The one conformance suite of the {@link Backend} SPI: every backend that {@link Backends#all()} finds runs every
 * kernel on random data against the reference backend, on odd sizes, vector tails, strides, padding, broadcasting and
 * batches, then a whole U-Net training step. A new backend gets the suite by being found. The reference runs it too:
 * against itself its values agree trivially, but the checks that do not compare (no write past an operand's end, no
 * storage left alive) hold for it as for any other.
 *
 * <p>Every fresh output is NaN-filled before its kernel runs, so an element the kernel leaves unwritten fails; storages
 * larger than the element count a kernel is given show writes past the end. Tolerances are norm-wise
 * ({@link Conformance#close}); data movement (copy, fill, transfers, pooling, upsampling) is exact. After each test
 * every backend has exactly the live bytes it had before. The last tests show that the checks fail on a wrong backend.
 */
class BackendConformanceTest {
    static final Backend REF = Backends.reference();
    /** Elementwise sizes: single elements, vector tails, whole vectors, a multi-thread size with a tail. */
    static final int[] SIZES = {1, 7, 16, 17, 33, 1000, 70001};

    /** Every backend found, named (the reference included: see the class comment). */
    static Stream<Arguments> backends() {
        return Backends.all().stream().map(b -> Arguments.of(named(b.name(), b)));
    }

    /** Every backend with every case. */
    private static Stream<Arguments> cross(Stream<Arguments> cases) {
        List<Arguments> cs = cases.toList();
        return backends().flatMap(b -> cs.stream().map(c -> Arguments.of(b.get()[0], c.get()[0])));
    }

    // ---- memory: no test leaves a storage behind -----------------------------------------------------------------------
    private final Map<Backend, Long> liveBefore = new IdentityHashMap<>();

    @BeforeEach
    void recordLiveBytes() {
        for (Backend b : Backends.all()) liveBefore.put(b, b.memoryStats().liveBytes());
    }

    @AfterEach
    void everyStorageWasFreed() {
        for (Backend b : Backends.all())
            assertEquals(liveBefore.get(b), b.memoryStats().liveBytes(), b.name() + ": live bytes after the test");
    }

    /**
     * The suite covers cuda wherever it is available (it is then one of {@link #backends()}); elsewhere this test is
     * skipped with the one line saying why, so a run shows whether the GPU was exercised.
     */
    @Test
    @org.junit.jupiter.api.Tag("gpu")
    void cudaIsCoveredWhereAvailable() {
        boolean found = Backends.all().stream().anyMatch(b -> b.name().equals("cuda"));
        String why = Backends.unavailable().get("cuda");
        org.junit.jupiter.api.Assumptions.assumeTrue(found, "cuda not in the conformance run: "
                + (why == null ? "no cuda backend on the class path" : why));
    }

    // ---- memory and transfers --------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void allocateIsZeroFilledEvenWhenTheMemoryIsReused(Backend be) {
        for (int n : SIZES) {
            Storage dirty = be.allocateUninitialized(n);
            assertEquals(n, dirty.size());
            assertSame(be, dirty.backend());
            be.fill(dirty, Float.NaN);
            dirty.free(); // back to the backend, which may hand the same memory out again
            Storage z = be.allocate(n);
            assertEquals(n, z.size());
            assertSame(be, z.backend());
            float[] got = be.download(z, 0, n);
            z.free();
            identical("allocate(" + n + ")", new float[n], got);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void fill(Backend be) {
        SplittableRandom rng = new SplittableRandom(1);
        for (int n : SIZES)
            for (float v : new float[] {0f, -0f, 1.5f, -3.25e-7f, Float.NaN, Float.NEGATIVE_INFINITY}) {
                float[] want = new float[n];
                Arrays.fill(want, v);
                float[] before = random(rng, n);
                float[] got = on(be, o -> {
                    Storage s = o.in(before);
                    be.fill(s, v);
                    return o.get(s);
                });
                identical("fill(" + v + ") n=" + n, want, got);
            }
    }

    /** Random values with the specials that transfers must carry bit for bit. */
    private static float[] withSpecials(SplittableRandom rng, int n) {
        float[] a = random(rng, n);
        float[] specials = {-0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE};
        for (int i = 0; i < specials.length && i < n; i++) a[(i * 7 + 1) % n] = specials[i];
        return a;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void uploadAndDownloadAtOffsets(Backend be) {
        SplittableRandom rng = new SplittableRandom(2);
        for (int n : SIZES) {
            float[] data = withSpecials(rng, n + 20);
            for (int off : new int[] {0, 3, 19}) {
                float[] got = on(be, o -> be.download(o.in(data), off, n));
                identical("upload, download " + n + " at " + off, Arrays.copyOfRange(data, off, off + n), got);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void copyInAtOffsetsIntoAnExistingStorage(Backend be) {
        SplittableRandom rng = new SplittableRandom(3);
        for (int n : SIZES)
            for (int off : new int[] {0, 3, 17}) {
                float[] base = withSpecials(rng, n + off + 5), src = withSpecials(rng, n + 7);
                float[] want = base.clone();
                System.arraycopy(src, 7, want, off, n);
                String at = " of " + n + " at " + off;
                // float[] form, from the middle of the array; the array is reused as soon as copyIn returns
                identical("copyIn(float[])" + at, want, on(be, o -> {
                    Storage d = o.in(base);
                    float[] tmp = src.clone();
                    be.copyIn(tmp, 7, d, off, n);
                    Arrays.fill(tmp, Float.NaN);
                    return o.get(d);
                }));
                // MemorySegment form, from off-heap memory that is overwritten, then freed, right after
                identical("copyIn(off-heap segment)" + at, want, on(be, o -> {
                    Storage d = o.in(base);
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment seg = arena.allocate(ValueLayout.JAVA_FLOAT, n);
                        MemorySegment.copy(src, 7, seg, ValueLayout.JAVA_FLOAT, 0, n);
                        be.copyIn(seg, d, off, n);
                        seg.fill((byte) 0x7F);
                    }
                    return o.get(d);
                }));
                // MemorySegment form, from a slice of a heap array
                identical("copyIn(heap segment)" + at, want, on(be, o -> {
                    Storage d = o.in(base);
                    be.copyIn(MemorySegment.ofArray(src.clone()).asSlice(4L * 7, 4L * n), d, off, n);
                    return o.get(d);
                }));
            }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void copyOutAtOffsetsIntoExistingHostMemory(Backend be) {
        SplittableRandom rng = new SplittableRandom(4);
        for (int n : SIZES)
            for (int off : new int[] {0, 3, 17}) {
                float[] data = withSpecials(rng, n + off + 5);
                float[] want = new float[n + 9];
                Arrays.fill(want, -7f);
                System.arraycopy(data, off, want, 4, n);
                String at = " of " + n + " from " + off;
                // float[] form, into the middle of an array whose other elements must stay
                float[] host = new float[n + 9];
                Arrays.fill(host, -7f);
                on(be, o -> {
                    be.copyOut(o.in(data), off, host, 4, n);
                    be.synchronize();
                    return null;
                });
                identical("copyOut(float[])" + at, want, host);
                // MemorySegment form, into off-heap memory
                float[] fromSegment = on(be, o -> {
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment seg = arena.allocate(ValueLayout.JAVA_FLOAT, n + 9);
                        for (int i = 0; i < n + 9; i++) seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, -7f);
                        be.copyOut(o.in(data), off, seg.asSlice(4L * 4, 4L * n), n);
                        be.synchronize();
                        return seg.toArray(ValueLayout.JAVA_FLOAT);
                    }
                });
                identical("copyOut(off-heap segment)" + at, want, fromSegment);
            }
    }

    // ---- strided copies ---------------------------------------------------------------------------------------------------

    /** A strided window on a storage of size elements. */
    record Layout(int size, long offset, int[] shape, int[] strides) {
        static Layout dense(int... shape) {
            return new Layout((int) Shapes.numel(shape), 0, shape, Shapes.contiguousStrides(shape));
        }

        /** The dense tensor of shape seen through a permutation of its axes. */
        static Layout permuted(int[] shape, int... perm) {
            int[] st = Shapes.contiguousStrides(shape), s = new int[perm.length], t = new int[perm.length];
            for (int i = 0; i < perm.length; i++) {
                s[i] = shape[perm[i]];
                t[i] = st[perm[i]];
            }
            return new Layout((int) Shapes.numel(shape), 0, s, t);
        }

        /** A dense tensor of shape s broadcast to target (numpy rules: stride 0 on broadcast axes). */
        static Layout broadcast(int[] s, int[] target) {
            int[] dense = Shapes.contiguousStrides(s), strides = new int[target.length];
            int lead = target.length - s.length;
            for (int i = 0; i < target.length; i++) {
                int j = i - lead;
                strides[i] = j < 0 || s[j] == 1 ? 0 : dense[j];
            }
            return new Layout((int) Shapes.numel(s), 0, target.clone(), strides);
        }

        View on(Storage s) {
            return new View(s, offset, shape, strides);
        }

        @Override
        public String toString() {
            return Shapes.str(shape) + (offset == 0 ? "" : "+" + offset) + " strides " + Arrays.toString(strides);
        }
    }

    static Stream<Arguments> copyCases() {
        int[] full = {2, 7, 4, 5, 6}, fs = Shapes.contiguousStrides(full);
        List<Layout[]> l = new ArrayList<>();
        l.add(new Layout[] {Layout.dense(70001), Layout.dense(70001)});
        // concatenation: a [2,3,4,5,6] source into the channel window [3, 6) of a [2,7,4,5,6] buffer
        l.add(new Layout[] {Layout.dense(2, 3, 4, 5, 6), new Layout((int) Shapes.numel(full), 3L * fs[1], new int[] {2, 3, 4, 5, 6}, fs)});
        l.add(new Layout[] {Layout.permuted(new int[] {4, 5, 33}, 2, 0, 1), Layout.dense(33, 4, 5)});
        l.add(new Layout[] {Layout.permuted(new int[] {2, 3, 4, 5, 6}, 0, 2, 3, 4, 1), Layout.dense(2, 4, 5, 6, 3)});   // NCDHW → NDHWC
        l.add(new Layout[] {Layout.dense(3, 17, 5), Layout.permuted(new int[] {5, 3, 17}, 1, 2, 0)});                 // strided destination
        l.add(new Layout[] {Layout.permuted(new int[] {64, 1100}, 1, 0), Layout.dense(1100, 64)});                      // large transpose
        l.add(new Layout[] {new Layout(6 * 40, 43, new int[] {4, 33}, new int[] {40, 1}), Layout.dense(4, 33)});       // narrow in both axes
        l.add(new Layout[] {Layout.broadcast(new int[] {1, 5, 1}, new int[] {4, 5, 33}), Layout.dense(4, 5, 33)});       // expand
        l.add(new Layout[] {Layout.broadcast(new int[] {1}, new int[] {3, 17}), Layout.dense(3, 17)});                  // scalar expand
        l.add(new Layout[] {new Layout(71, 1, new int[] {35}, new int[] {2}), Layout.dense(35)});                       // stride 2 source
        l.add(new Layout[] {Layout.dense(7, 17), new Layout(7 * 35, 0, new int[] {7, 17}, new int[] {35, 2})});        // stride 2 destination
        l.add(new Layout[] {new Layout(9, 5, new int[0], new int[0]), new Layout(4, 2, new int[0], new int[0])});      // rank 0
        l.add(new Layout[] {Layout.dense(1), new Layout(3, 2, new int[] {1}, new int[] {1})});
        return l.stream().map(p -> Arguments.of(named(p[0] + " → " + p[1], p)));
    }

    static Stream<Arguments> copy() {
        return cross(copyCases());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("copy")
    void copyBetweenStridedViews(Backend be, Layout[] c) {
        float[] src = withSpecials(new SplittableRandom(c[0].size()), c[0].size());
        Pair<float[]> r = onBoth(be, (b, o) -> {
            Storage d = o.out(c[1].size());
            b.copy(c[0].on(o.in(src)), c[1].on(d));
            return o.get(d);
        });
        identical("copy " + c[0] + " → " + c[1], r.ref(), r.got());
    }

    // ---- elementwise -------------------------------------------------------------------------------------------------------

    static Stream<Arguments> unary() {
        return cross(Arrays.stream(UnaryOp.values()).map(Arguments::of));
    }

    private static boolean positiveDomain(UnaryOp op) {
        return op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW;
    }

    /** The values of the parameter a worth trying (b is 0.5: CLAMP's upper bound). */
    private static float[] parameters(UnaryOp op) {
        return switch (op) {
            case POW -> new float[] {0.7f, 2f, 3f, 0.5f, -1f};
            case LEAKY_RELU, LEAKY_STEP -> new float[] {0.01f, 0.7f};
            case CLAMP, CLAMP_MASK -> new float[] {-0.3f};
            case ADD_SCALAR, MUL_SCALAR -> new float[] {0.7f, -3f};
            default -> new float[] {0.7f};
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("unary")
    void unary(Backend be, UnaryOp op) {
        SplittableRandom rng = new SplittableRandom(op.ordinal());
        List<float[]> inputs = new ArrayList<>();
        for (int n : SIZES) {
            float[] x = random(rng, n);
            for (int i = 0; i < n; i += 5) x[i] *= 4;
            if (n > 3) {
                x[1] = 0f;
                x[2] = -0f;
            }
            if (positiveDomain(op)) for (int i = 0; i < n; i++) x[i] = Math.abs(x[i]) + 0.1f;
            inputs.add(x);
        }
        inputs.add(positiveDomain(op)
                ? new float[] {0f, 1e-30f, 1e-3f, 0.5f, 1f, 2f, 10f, 88f, 100f, 1e30f}
                : new float[] {0f, -0f, 1e-30f, -1e-30f, 1e-3f, -1e-3f, 0.5f, -0.5f, -0.3f, 1f, -1f, 10f, -10f, 30f, -30f, 88f,
                        -88f, 100f, -100f});
        for (float a : parameters(op))
            for (float[] x : inputs) {
                float b = 0.5f;
                // three elements more than n in both storages: they must stay as they are
                float[] padded = Arrays.copyOf(x, x.length + 3);
                padded[x.length] = 0.25f;
                padded[x.length + 1] = -2f;
                padded[x.length + 2] = 1f;
                Pair<float[]> r = onBoth(be, (bk, o) -> {
                    Storage out = o.out(padded.length);
                    bk.unary(op, a, b, o.in(padded), out, x.length);
                    return o.get(out);
                });
                close(op + "(a=" + a + ") n=" + x.length, r.ref(), r.got(), 1e-6, 1e-7);
            }
    }

    /** x ⊕ y: two views of the same shape over storages of their own sizes. */
    record BinaryCase(Layout x, Layout y) {
        /** Two dense tensors broadcast to their common shape. */
        static BinaryCase broadcast(int[] xs, int[] ys) {
            int[] shape = Shapes.broadcast("test", xs, ys);
            return new BinaryCase(Layout.broadcast(xs, shape), Layout.broadcast(ys, shape));
        }

        @Override
        public String toString() {
            return x + " ⊕ " + y;
        }
    }

    static Stream<Arguments> binaryCases() {
        List<BinaryCase> c = new ArrayList<>(List.of(
                BinaryCase.broadcast(new int[] {2, 3, 4, 5, 17}, new int[] {2, 3, 4, 5, 17}),   // same shape
                BinaryCase.broadcast(new int[] {2, 3, 4, 5, 17}, new int[] {1, 3, 1, 1, 1}),    // per channel, bias-like
                BinaryCase.broadcast(new int[] {1, 3, 1, 1, 1}, new int[] {2, 3, 4, 5, 17}),    // per channel on the left
                BinaryCase.broadcast(new int[] {4, 33}, new int[] {1, 1}),                      // scalar
                BinaryCase.broadcast(new int[] {1, 1}, new int[] {4, 33}),
                BinaryCase.broadcast(new int[] {4, 1, 19}, new int[] {1, 5, 1}),                // outer product
                BinaryCase.broadcast(new int[] {3, 7, 18}, new int[] {7, 1}),                   // fewer dims, innermost broadcast
                BinaryCase.broadcast(new int[] {1}, new int[] {1}),
                BinaryCase.broadcast(new int[] {7}, new int[] {7}),
                BinaryCase.broadcast(new int[] {33}, new int[] {1}),
                BinaryCase.broadcast(new int[] {70001}, new int[] {70001}),
                BinaryCase.broadcast(new int[] {1}, new int[] {70001})));
        // strided operands: a transposed x, a narrowed x, a stride-2 x
        c.add(new BinaryCase(Layout.permuted(new int[] {17, 5}, 1, 0), Layout.dense(5, 17)));
        c.add(new BinaryCase(new Layout(6 * 40, 43, new int[] {4, 33}, new int[] {40, 1}), Layout.broadcast(new int[] {33}, new int[] {4, 33})));
        c.add(new BinaryCase(Layout.dense(35), new Layout(71, 1, new int[] {35}, new int[] {2})));
        return c.stream().map(b -> Arguments.of(named(b.toString(), b)));
    }

    static Stream<Arguments> binary() {
        List<Arguments> out = new ArrayList<>();
        List<Arguments> cases = binaryCases().toList();
        backends().forEach(b -> {
            for (BinaryOp op : BinaryOp.values())
                for (Arguments c : cases) out.add(Arguments.of(b.get()[0], op, c.get()[0]));
        });
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("binary")
    void binaryWithBroadcastingAndStrides(Backend be, BinaryOp op, BinaryCase c) {
        SplittableRandom rng = new SplittableRandom(op.ordinal() * 1000L + c.x().size());
        float[] x = random(rng, c.x().size()), y = random(rng, c.y().size());
        if (op == BinaryOp.DIV) for (int i = 0; i < y.length; i++) y[i] += Math.signum(y[i]) * 0.5f;
        int n = (int) Shapes.numel(c.x().shape());
        Pair<float[]> r = onBoth(be, (b, o) -> {
            Storage out = o.out(n);
            b.binary(op, c.x().on(o.in(x)), c.y().on(o.in(y)), out);
            return o.get(out);
        });
        close(op + " " + c, r.ref(), r.got(), 1e-6, 0);
    }

    static Stream<Arguments> reduceSum() {
        int[][][] cases = {
                {{2, 3, 4, 5, 17}, {1, 1, 1, 1, 1}},
                {{2, 3, 4, 5, 17}, {1, 3, 1, 1, 1}},    // per channel (a bias gradient)
                {{2, 3, 4, 5, 17}, {2, 1, 4, 1, 17}},
                {{2, 3, 4, 5, 17}, {2, 3, 4, 5, 1}},    // innermost axis
                {{2, 3, 4, 5, 17}, {1, 3, 4, 5, 17}},   // outermost axis
                {{2, 3, 4, 5, 17}, {1, 1, 4, 5, 1}},
                {{7, 33}, {1, 33}},
                {{33, 7, 1}, {1, 7, 1}},
                {{1000}, {1}},
                {{300001}, {1}},
                {{1}, {1}},
                {{3, 4}, {3, 4}},                       // no axis
        };
        return cross(Arrays.stream(cases).map(c -> Arguments.of(named(Shapes.str(c[0]) + " → " + Shapes.str(c[1]), c))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("reduceSum")
    void reduceSum(Backend be, int[][] c) {
        float[] x = random(new SplittableRandom(5), (int) Shapes.numel(c[0]));
        int n = (int) Shapes.numel(c[1]);
        Pair<float[]> r = onBoth(be, (b, o) -> {
            Storage out = o.out(n);
            b.reduceSum(o.in(x), c[0], c[1], out);
            return o.get(out);
        });
        close("reduceSum " + Shapes.str(c[0]) + " → " + Shapes.str(c[1]), r.ref(), r.got(), 1e-5, 1e-5);
    }

    /** Random values with three guard elements after the first n, which in-place kernels over n elements must keep. */
    private static float[] guarded(SplittableRandom rng, int n) {
        return random(rng, n + 3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void axpy(Backend be) {
        SplittableRandom rng = new SplittableRandom(6);
        for (int n : SIZES)
            for (float alpha : new float[] {-0.37f, 1f, 0f}) {
                float[] x = guarded(rng, n), y = guarded(rng, n);
                Pair<float[]> r = onBoth(be, (b, o) -> {
                    Storage ys = o.in(y);
                    b.axpy(alpha, o.in(x), ys, n);
                    return o.get(ys);
                });
                close("axpy(" + alpha + ") n=" + n, r.ref(), r.got(), 1e-6, 0);
            }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void scale(Backend be) {
        SplittableRandom rng = new SplittableRandom(7);
        for (int n : SIZES)
            for (float alpha : new float[] {1.7f, -1f, 0f}) {
                float[] x = guarded(rng, n);
                Pair<float[]> r = onBoth(be, (b, o) -> {
                    Storage xs = o.in(x);
                    b.scale(alpha, xs, n);
                    return o.get(xs);
                });
                close("scale(" + alpha + ") n=" + n, r.ref(), r.got(), 1e-6, 0);
            }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void adam(Backend be) {
        SplittableRandom rng = new SplittableRandom(8);
        for (int n : SIZES) {
            float[] p = guarded(rng, n), g = guarded(rng, n), m = guarded(rng, n), v = guarded(rng, n);
            for (int i = 0; i < v.length; i++) v[i] = Math.abs(v[i]);
            Pair<float[][]> r = onBoth(be, (b, o) -> {
                Storage ps = o.in(p), gs = o.in(g), ms = o.in(m), vs = o.in(v);
                for (int step = 1; step <= 3; step++)
                    b.adam(new AdamStep(1e-3f, 0.9f, 0.999f, 1e-8f, step == 2 ? 0.01f : 0f, step), ps, gs, ms, vs, n);
                return new float[][] {o.get(ps), o.get(ms), o.get(vs), o.get(gs)};
            });
            close("adam parameters n=" + n, r.ref()[0], r.got()[0], 1e-6, 1e-7);
            close("adam m n=" + n, r.ref()[1], r.got()[1], 1e-6, 0);
            close("adam v n=" + n, r.ref()[2], r.got()[2], 1e-6, 0);
            identical("adam gradient (an input) n=" + n, r.ref()[3], r.got()[3]);
        }
    }

    // ---- gemm ----------------------------------------------------------------------------------------------------------------

    static Stream<Arguments> gemm() {
        int[][] dims = {{1, 1, 1}, {1, 300, 7}, {37, 1, 50}, {5, 17, 3}, {16, 16, 16}, {33, 40, 19}, {65, 97, 130}};
        return cross(Arrays.stream(dims).map(d -> Arguments.of(named("m=" + d[0] + " n=" + d[1] + " k=" + d[2], d))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("gemm")
    void gemmAllTranspositionsOffsetsAndBetas(Backend be, int[] d) {
        SplittableRandom rng = new SplittableRandom(9);
        int m = d[0], n = d[1], k = d[2];
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
            for (int[] off : new int[][] {{0, 0, 0}, {3, 2, 1}}) {
                float[] a = random(rng, off[0] + m * k + 4), b = random(rng, off[1] + k * n + 4);
                for (float beta : new float[] {0f, 1f, 0.5f}) {
                    float[] c = random(rng, off[2] + m * n + 4);
                    // beta = 0 must not read C: a NaN there would otherwise show
                    if (beta == 0) Arrays.fill(c, off[2], off[2] + m * n, Float.NaN);
                    Pair<float[]> r = onBoth(be, (bq, o) -> {
                        Storage cs = o.in(c);
                        bq.gemm(ta, tb, m, n, k, o.in(a), off[0], o.in(b), off[1], beta, cs, off[2]);
                        return o.get(cs);
                    });
                    String what = "gemm " + m + "×" + n + "×" + k + " transA=" + ta + " transB=" + tb + " offsets " + Arrays.toString(off)
                            + " beta=" + beta;
                    close(what, r.ref(), r.got());
                    identical(what + ": C before its window", Arrays.copyOf(c, off[2]), Arrays.copyOf(r.got(), off[2]));
                    identical(what + ": C after its window", Arrays.copyOfRange(c, off[2] + m * n, c.length),
                            Arrays.copyOfRange(r.got(), off[2] + m * n, c.length));
                }
            }
        }
    }

    // ---- convolution -------------------------------------------------------------------------------------------------------

    static String label(ConvGeometry g) {
        return "n" + g.n() + " " + g.cIn() + "→" + g.cOut() + " " + g.d() + "×" + g.h() + "×" + g.w() + " k" + g.kd() + "×" + g.kh()
                + "×" + g.kw() + " s" + g.sd() + "," + g.sh() + "," + g.sw() + " p" + g.pd() + "," + g.ph() + "," + g.pw() + " → "
                + g.od() + "×" + g.oh() + "×" + g.ow();
    }

    static List<ConvGeometry> convGeometries() {
        List<ConvGeometry> c = new ArrayList<>();
        c.add(same3(1, 3, 5, 7, 19, 7));          // odd sizes, vector tail, partial output-channel block
        c.add(same3(2, 5, 4, 6, 33, 13));         // batch 2, tail of one lane
        c.add(same3(1, 16, 6, 8, 32, 16));        // whole vectors
        c.add(same3(1, 5, 3, 4, 30, 9));          // rows with a masked tail
        c.add(same3(2, 7, 8, 8, 8, 12));          // across planes and batch items
        c.add(same3(1, 11, 4, 4, 4, 8));          // a U-Net's deepest levels: rows shorter than a vector
        c.add(same3(1, 20, 3, 2, 2, 30));         // many input channels
        c.add(same3(1, 40, 8, 8, 8, 13));         // 8³ level: several input-channel blocks (the fused ReLU on the last)
        c.add(same3(1, 36, 4, 4, 4, 7));          // 4³ level, several channel blocks, few planes
        c.add(same3(1, 19, 3, 16, 16, 32));       // 16² rows of whole vectors, a second channel block of one channel
        // the deep U-Net levels with vectors along the output channels (ConvSmall.useForward3d): a partial 64-channel
        // panel, batch 2, and a 4³ level with several reduction blocks of KC rows
        c.add(same3(2, 20, 4, 4, 4, 48));
        c.add(same3(1, 24, 8, 8, 8, 32));
        c.add(same3(1, 48, 4, 4, 4, 80));
        c.add(same3(1, 19, 1, 48, 64, 96));       // a plane larger than one band of partial sums (ConvForward.band), 2 channel blocks
        c.add(same3(1, 1, 3, 3, 1, 1));           // one channel, one column
        c.add(same3(3, 2, 1, 1, 1, 3));           // a single voxel, batch 3: only the kernel's centre sees data
        c.add(conv(1, 9, 3, 5, 17, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0));   // 1×1×1 output layer
        c.add(conv(2, 4, 3, 4, 18, 6, 1, 1, 1, 1, 1, 1, 0, 0, 0));   // 1×1×1, batch 2
        c.add(conv(1, 2, 6, 6, 20, 3, 3, 3, 3, 1, 1, 1, 0, 0, 0));   // 'valid'
        c.add(conv(1, 3, 5, 6, 18, 4, 3, 3, 3, 1, 1, 1, 2, 2, 2));   // padding k − 1 (output larger than input)
        c.add(conv(1, 3, 4, 5, 9, 4, 3, 3, 3, 1, 1, 1, 4, 4, 4));    // padding 4 > k: outputs that see only padding
        c.add(conv(2, 3, 3, 4, 7, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1));    // 1×1×1 with padding 1: a border of bias only
        c.add(conv(1, 3, 4, 6, 9, 2, 3, 3, 3, 1, 1, 1, 0, 3, 1));    // different padding per axis
        c.add(conv(1, 4, 1, 9, 23, 5, 1, 3, 3, 1, 1, 1, 0, 1, 1));   // conv2d (depth 1) 3×3 'same'
        c.add(conv(2, 3, 1, 10, 12, 4, 1, 3, 3, 1, 2, 2, 0, 1, 1));  // conv2d stride 2
        c.add(conv(1, 3, 1, 11, 9, 2, 1, 5, 5, 1, 1, 1, 0, 2, 2));   // conv2d 5×5
        c.add(conv(1, 2, 5, 7, 9, 3, 1, 3, 3, 1, 1, 1, 0, 1, 1));    // 2D kernel on every slice of a volume
        c.add(conv(2, 3, 7, 8, 9, 5, 3, 3, 3, 2, 2, 2, 1, 1, 1));    // 3D stride 2
        c.add(conv(1, 4, 6, 7, 10, 3, 1, 1, 1, 2, 2, 2, 0, 0, 0));   // 1×1×1 stride 2
        c.add(conv(1, 2, 7, 7, 8, 3, 2, 2, 2, 3, 3, 3, 0, 0, 0));    // stride 3 > kernel: inputs no window sees
        c.add(conv(1, 2, 5, 6, 17, 3, 3, 1, 5, 1, 1, 2, 1, 0, 2));   // anisotropic kernel and stride
        // Keras 'same' with an even kernel: padding only after (p = 0, output size = input size)
        c.add(new ConvGeometry(1, 3, 4, 5, 18, 5, 2, 2, 2, 1, 1, 1, 0, 0, 0, 4, 5, 18));
        // Keras 'same' with stride 2 on even sizes: one padding plane after, none before
        c.add(new ConvGeometry(1, 3, 8, 6, 10, 4, 3, 3, 3, 2, 2, 2, 0, 0, 0, 4, 3, 5));
        // The GAN discriminator's 3×3 conv2d layers, small: Keras 'same' stride 2 (even size: no padding before, one
        // after; odd size: one on each side), padding 1 on both sides, and the stride-1 layers on small planes
        c.add(new ConvGeometry(2, 8, 1, 16, 16, 16, 1, 3, 3, 1, 2, 2, 0, 0, 0, 1, 8, 8));
        c.add(new ConvGeometry(2, 24, 1, 8, 8, 16, 1, 3, 3, 1, 2, 2, 0, 0, 0, 1, 4, 4));
        c.add(new ConvGeometry(2, 8, 1, 15, 13, 12, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, 8, 7));
        c.add(conv(2, 16, 1, 16, 16, 24, 1, 3, 3, 1, 2, 2, 0, 1, 1));
        c.add(conv(2, 1, 1, 16, 16, 8, 1, 3, 3, 1, 1, 1, 0, 1, 1));
        c.add(conv(2, 24, 1, 8, 8, 20, 1, 3, 3, 1, 1, 1, 0, 1, 1));
        c.add(conv(2, 8, 1, 33, 35, 8, 1, 3, 3, 1, 2, 2, 0, 1, 1));    // stride 2 with a vector tail per row
        // ≥ 32 channels, multiples of 16: the cpu backend's channel-vector kernels for small planes (ConvSmall), with a
        // partly filled 64-channel panel (48), voxel counts that are not a multiple of its 4-voxel tiles, and a 32 × 32
        // plane for backward-weight
        c.add(new ConvGeometry(2, 32, 1, 16, 16, 48, 1, 3, 3, 1, 2, 2, 0, 0, 0, 1, 8, 8));
        c.add(conv(2, 48, 1, 7, 9, 32, 1, 3, 3, 1, 1, 1, 0, 1, 1));
        c.add(conv(1, 32, 1, 13, 11, 32, 1, 3, 3, 1, 2, 2, 0, 1, 1));
        c.add(conv(1, 16, 1, 32, 32, 32, 1, 3, 3, 1, 1, 1, 0, 1, 1));
        // The cpu backward-weight's output-channel vectors: 53 channels = blocks of 3 vectors and a partial one, several
        // input-channel tasks, rows of 33 in chunks of whole rows; and 1600-voxel planes whose partial sums are flushed
        // every 2 planes
        c.add(same3(1, 40, 3, 10, 33, 53));
        c.add(same3(1, 3, 5, 40, 40, 20));
        c.add(same3(2, 3, 3, 10, 20, 70));         // few input channels: tasks split the outputs
        SplittableRandom rng = new SplittableRandom(42);
        for (int i = 0; i < 6; i++) {
            int k = 1 + 2 * rng.nextInt(2);
            c.add(conv(1 + rng.nextInt(2), 1 + rng.nextInt(14), 1 + rng.nextInt(6), 1 + rng.nextInt(9), 1 + rng.nextInt(40),
                    1 + rng.nextInt(15), k, k, k, 1, 1, 1, k / 2, k / 2, k / 2));
        }
        return c;
    }

    static Stream<Arguments> conv3d() {
        return cross(convGeometries().stream().map(g -> Arguments.of(named(label(g), g))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("conv3d")
    void conv3dForwardAndBothBackwardPasses(Backend be, ConvGeometry g) {
        SplittableRandom rng = new SplittableRandom(g.hashCode());
        float[] x = random(rng, (int) g.inputSize()), w = random(rng, (int) g.weightSize());
        float[] b = random(rng, g.cOut()), dy = random(rng, (int) g.outputSize());
        String l = label(g);
        close("forward " + l, Conformance.conv3d(REF, g, x, w, b), Conformance.conv3d(be, g, x, w, b));
        close("forward without bias " + l, Conformance.conv3d(REF, g, x, w, null), Conformance.conv3d(be, g, x, w, null));
        // The fused epilogue against its definition: the reference convolution, then UnaryOp.RELU.
        float[] yr = Conformance.conv3d(REF, g, x, w, b), yr0 = Conformance.conv3d(REF, g, x, w, null);
        for (int i = 0; i < yr.length; i++) {
            yr[i] = UnaryOp.RELU.apply(yr[i], 0f, 0f);
            yr0[i] = UnaryOp.RELU.apply(yr0[i], 0f, 0f);
        }
        close("forward + ReLU " + l, yr, Conformance.conv3dRelu(be, g, x, w, b));
        close("forward + ReLU without bias " + l, yr0, Conformance.conv3dRelu(be, g, x, w, null));
        close("backward-data " + l, Conformance.conv3dBackwardData(REF, g, dy, w), Conformance.conv3dBackwardData(be, g, dy, w));
        float[][] r = Conformance.conv3dBackwardWeight(REF, g, x, dy, true), c = Conformance.conv3dBackwardWeight(be, g, x, dy, true);
        close("backward-weight " + l, r[0], c[0]);
        close("backward-bias " + l, r[1], c[1]);
        close("backward-weight without bias " + l, r[0], Conformance.conv3dBackwardWeight(be, g, x, dy, false)[0]);
    }

    /**
     * The fused op against its definition on the same backend: {@code Convolution.conv3dRelu} gives the values and the
     * gradients (x, w, bias) of {@code Pointwise.relu(Convolution.conv3d(...))}, with the output as the ReLU's mask.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void conv3dReluOpMatchesConvThenRelu(Backend be) {
        float[][] got = convReluGrads(be, 11, true), ref = convReluGrads(be, 11, false);
        String[] what = {"y", "dx", "dw", "dbias"};
        for (int i = 0; i < what.length; i++) close("conv3dRelu " + what[i], ref[i], got[i]);
        // and some outputs were rectified and some were not, so both branches of the mask ran
        long zeros = 0;
        for (float v : got[0]) if (v == 0f) zeros++;
        assertTrue(zeros > 0 && zeros < got[0].length, zeros + " zeros of " + got[0].length);
    }

    private static float[][] convReluGrads(Backend be, long seed, boolean fused) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] xs = {1, 20, 5, 6, 19}, ws = {9, 20, 3, 3, 3};
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.of(random(rng, 20 * 5 * 6 * 19), xs).to(be).requiresGrad(true);
            Tensor w = Tensor.of(random(rng, 9 * 20 * 27), ws).to(be).requiresGrad(true);
            Tensor b = Tensor.of(random(rng, 9), 9).to(be).requiresGrad(true);
            Tensor seedGrad = Tensor.of(random(rng, 9 * 5 * 6 * 19), 1, 9, 5, 6, 19).to(be);
            int[] stride = {1, 1, 1};
            Tensor y = fused ? dev.deepanat.engine.ops.Convolution.conv3dRelu(x, w, b, stride, dev.deepanat.engine.ops.Padding.same())
                    : dev.deepanat.engine.ops.Pointwise.relu(dev.deepanat.engine.ops.Convolution.conv3d(x, w, b, stride,
                    dev.deepanat.engine.ops.Padding.same()));
            float[] yv = y.toArray();
            y.backward(seedGrad);
            return new float[][] {yv, x.grad().toArray(), w.grad().toArray(), b.grad().toArray()};
        }
    }

    // ---- pooling and upsampling --------------------------------------------------------------------------------------------

    static PoolGeometry pool(int n, int c, int d, int h, int w, int kd, int kh, int kw, int sd, int sh, int sw) {
        return new PoolGeometry(n, c, d, h, w, kd, kh, kw, sd, sh, sw, (d - kd) / sd + 1, (h - kh) / sh + 1, (w - kw) / sw + 1);
    }

    static Stream<Arguments> maxPool() {
        PoolGeometry[] pools = {
                pool(2, 3, 8, 6, 10, 2, 2, 2, 2, 2, 2),
                pool(1, 2, 7, 5, 9, 2, 2, 2, 2, 2, 2),       // floor mode, odd sizes: inputs no window sees
                pool(1, 2, 1, 9, 9, 1, 3, 3, 1, 2, 2),       // 2D, overlapping 3×3 stride 2
                pool(1, 3, 4, 6, 34, 2, 2, 2, 2, 2, 2),      // rows with a vector tail
                pool(2, 2, 4, 4, 66, 2, 2, 2, 2, 2, 2),
                pool(1, 2, 3, 5, 7, 2, 2, 2, 1, 1, 1),       // overlapping, stride 1
                pool(1, 4, 5, 8, 8, 1, 2, 2, 1, 2, 2),       // 2D pooling of every slice
                pool(1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2),       // one window
                pool(1, 2, 6, 9, 12, 3, 3, 3, 3, 3, 3),
        };
        return cross(Arrays.stream(pools).map(g -> Arguments.of(named(poolLabel(g), g))));
    }

    static String poolLabel(PoolGeometry g) {
        return "n" + g.n() + " c" + g.c() + " " + g.d() + "×" + g.h() + "×" + g.w() + " k" + g.kd() + "×" + g.kh() + "×" + g.kw()
                + " s" + g.sd() + "," + g.sh() + "," + g.sw();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("maxPool")
    void maxPoolAndItsBackward(Backend be, PoolGeometry g) {
        SplittableRandom rng = new SplittableRandom(11);
        int in = g.n() * g.c() * g.d() * g.h() * g.w(), out = (int) g.outputSize();
        float[] x = random(rng, in), dy = random(rng, out);
        for (int i = 0; i < in; i += 7) x[i] = 0.25f;   // ties: the first maximum wins
        if (in > 3) x[3] = Float.NaN;                   // NaN is the maximum of its window
        Pair<float[][]> r = onBoth(be, (b, o) -> {
            Storage xs = o.in(x), ys = o.out(out), dxs = o.out(in);
            b.maxPool3d(g, xs, ys);
            b.maxPool3dBackward(g, xs, o.in(dy), dxs);
            return new float[][] {o.get(ys), o.get(dxs)};
        });
        String l = poolLabel(g);
        exact("maxPool " + l, r.ref()[0], r.got()[0]);
        if (g.kd() <= g.sd() && g.kh() <= g.sh() && g.kw() <= g.sw()) exact("maxPool backward " + l, r.ref()[1], r.got()[1]);
        else close("maxPool backward (overlapping windows: sums) " + l, r.ref()[1], r.got()[1], 1e-6, 0);
    }

    static Stream<Arguments> upsample() {
        UpsampleGeometry[] ups = {
                new UpsampleGeometry(2, 3, 3, 4, 5, 2, 2, 2),
                new UpsampleGeometry(1, 2, 1, 5, 7, 1, 3, 2),
                new UpsampleGeometry(1, 1, 1, 1, 1, 2, 2, 2),
                new UpsampleGeometry(2, 3, 4, 5, 17, 2, 2, 2),   // output rows of 34: a vector tail
                new UpsampleGeometry(1, 2, 3, 4, 33, 1, 2, 2),
                new UpsampleGeometry(1, 2, 2, 3, 4, 3, 3, 3),
        };
        return cross(Arrays.stream(ups).map(g -> Arguments.of(named(g.n() + "×" + g.c() + "×" + g.d() + "×" + g.h() + "×" + g.w()
                + " by " + g.fd() + "×" + g.fh() + "×" + g.fw(), g))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("upsample")
    void upsampleAndItsBackward(Backend be, UpsampleGeometry g) {
        SplittableRandom rng = new SplittableRandom(12);
        int in = (int) g.inputSize(), out = in * g.fd() * g.fh() * g.fw();
        float[] x = random(rng, in), dy = random(rng, out);
        Pair<float[][]> r = onBoth(be, (b, o) -> {
            Storage ys = o.out(out), dxs = o.out(in);
            b.upsampleNearest3d(g, o.in(x), ys);
            b.upsampleNearest3dBackward(g, o.in(dy), dxs);
            return new float[][] {o.get(ys), o.get(dxs)};
        });
        exact("upsample " + g, r.ref()[0], r.got()[0]);
        close("upsample backward (sums) " + g, r.ref()[1], r.got()[1], 1e-6, 1e-7);
    }

    // ---- batch normalization ---------------------------------------------------------------------------------------------

    static Stream<Arguments> batchNorm() {
        BatchNormGeometry[] gs = {
                new BatchNormGeometry(1, 1, 1),        // one value per channel: variance 0
                new BatchNormGeometry(2, 3, 1),        // BatchNorm1d-like
                new BatchNormGeometry(1, 4, 17),
                new BatchNormGeometry(2, 5, 33 * 7),
                new BatchNormGeometry(3, 2, 1000),
                new BatchNormGeometry(2, 3, 4099),
                new BatchNormGeometry(1, 2, 70001),
        };
        return cross(Arrays.stream(gs).map(g -> Arguments.of(named("n" + g.n() + " c" + g.c() + " spatial " + g.spatial(), g))));
    }

    /** Forward training (with and without gamma and beta, with and without running statistics), inference, backward. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("batchNorm")
    void batchNorm(Backend be, BatchNormGeometry g) {
        SplittableRandom rng = new SplittableRandom(13 + g.numel());
        int c = g.c(), numel = (int) g.numel();
        float[] x = random(rng, numel);
        for (int i = 0; i < g.n(); i++)   // per channel: its own mean and spread
            for (int ch = 0; ch < c; ch++)
                for (int s = 0; s < g.spatial(); s++) {
                    int j = (int) (((long) i * c + ch) * g.spatial() + s);
                    x[j] = x[j] * (0.5f + 0.3f * ch) + 0.7f * (ch - c / 2f);
                }
        float[] gamma = random(rng, c), beta = random(rng, c), rm = random(rng, c), rv = random(rng, c), dy = random(rng, numel);
        for (int i = 0; i < c; i++) rv[i] = 0.5f + Math.abs(rv[i]);
        float momentum = 0.1f, eps = 1e-5f;
        for (boolean[] variant : new boolean[][] {{true, true}, {false, false}, {false, true}}) {
            boolean affine = variant[0], running = variant[1];
            String what = " n" + g.n() + " c" + c + " spatial " + g.spatial() + (affine ? "" : " without gamma and beta")
                    + (running ? "" : " without running statistics");
            Pair<float[][]> r = onBoth(be, (b, o) -> {
                Storage y = o.out(numel), sm = o.out(c), si = o.out(c);
                Storage rms = running ? o.in(rm) : null, rvs = running ? o.in(rv) : null;
                b.batchNormForwardTraining(g, momentum, eps, o.in(x), affine ? o.in(gamma) : null, affine ? o.in(beta) : null,
                        rms, rvs, y, sm, si);
                return new float[][] {o.get(y), o.get(sm), o.get(si), o.get(rms), o.get(rvs)};
            });
            close("batchNorm training y" + what, r.ref()[0], r.got()[0], 1e-5, 1e-5);
            close("batchNorm saved mean" + what, r.ref()[1], r.got()[1], 1e-5, 1e-5);
            close("batchNorm saved 1/std" + what, r.ref()[2], r.got()[2], 1e-5, 1e-5);
            if (running) {
                close("batchNorm running mean" + what, r.ref()[3], r.got()[3], 1e-5, 1e-5);
                close("batchNorm running variance" + what, r.ref()[4], r.got()[4], 1e-5, 1e-5);
            }
            float[] saveMean = r.ref()[1], saveInvStd = r.ref()[2];

            Pair<float[]> inf = onBoth(be, (b, o) -> {
                Storage y = o.out(numel);
                b.batchNormForwardInference(g, eps, o.in(x), affine ? o.in(gamma) : null, affine ? o.in(beta) : null, o.in(rm),
                        o.in(rv), y);
                return o.get(y);
            });
            close("batchNorm inference y" + what, inf.ref(), inf.got(), 1e-5, 1e-5);

            Pair<float[][]> bw = onBoth(be, (b, o) -> {
                Storage dx = o.out(numel), dg = affine ? o.out(c) : null, db = affine ? o.out(c) : null;
                b.batchNormBackward(g, o.in(x), o.in(dy), affine ? o.in(gamma) : null, o.in(saveMean), o.in(saveInvStd), dx, dg, db);
                return new float[][] {o.get(dx), o.get(dg), o.get(db)};
            });
            close("batchNorm backward dx" + what, bw.ref()[0], bw.got()[0], 1e-4, 1e-5);
            if (affine) {
                close("batchNorm backward dgamma" + what, bw.ref()[1], bw.got()[1], 1e-4, 1e-5);
                close("batchNorm backward dbeta" + what, bw.ref()[2], bw.got()[2], 1e-4, 1e-5);
            }
        }
    }

    // ---- a whole U-Net training step ---------------------------------------------------------------------------------------

    record Steps(float[] losses, Map<String, float[]> grads, Map<String, float[]> params, Map<String, float[]> buffers) {}

    private static final Map<Boolean, Steps> REFERENCE_STEPS = new ConcurrentHashMap<>();

    /**
     * Two training steps (forward, masked L1, backward, Adam) of a small U-Net on a 16³ block, built on the host and moved
     * to be: the losses, the first step's gradients, and the parameters and buffers after the second step.
     */
    static Steps unetSteps(Backend be, boolean batchNorm) {
        int s = 16, vox = s * s * s;
        SplittableRandom rng = new SplittableRandom(17);
        UNet3d net = new UNet3d(new UNetConfig(3, 1, 4, 3, batchNorm), rng);
        net.to(be);
        Adam adam = new Adam(net.parameters(), 1e-3f);
        float[] m = new float[vox];
        for (int i = 0; i < vox; i++) m[i] = i % 7 == 0 ? 0f : 1f;
        float[] losses = new float[2];
        Map<String, float[]> grads = new LinkedHashMap<>(), params = new LinkedHashMap<>(), buffers = new LinkedHashMap<>();
        try (MemoryScope inputs = MemoryScope.open()) {
            Tensor x = Tensor.randn(rng, 0, 1, 1, 3, s, s, s).to(be);
            Tensor target = Tensor.randn(rng, 0, 1, 1, 1, s, s, s).to(be);
            Tensor mask = Tensor.of(m, 1, 1, s, s, s).to(be);
            for (int step = 0; step < 2; step++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    losses[step] = TrainingStep.run(net, adam, x, target, mask).item();
                    if (step == 0) net.namedParameters().forEach((k, p) -> grads.put(k, p.grad().toArray()));
                }
            }
        }
        net.namedParameters().forEach((k, p) -> params.put(k, p.toArray()));
        net.namedBuffers().forEach((k, b) -> buffers.put(k, b.toArray()));
        adam.close();
        net.close();
        return new Steps(losses, grads, params, buffers);
    }

    static Stream<Arguments> unet() {
        return cross(Stream.of(Arguments.of(named("plain", false)), Arguments.of(named("batch norm", true))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("unet")
    void uNetTrainingStepsMatchTheReference(Backend be, boolean batchNorm) {
        Steps r = REFERENCE_STEPS.computeIfAbsent(batchNorm, bn -> unetSteps(REF, bn)), c = unetSteps(be, batchNorm);
        close("losses", r.losses(), c.losses(), 1e-5, 0);
        assertEquals(r.grads().keySet(), c.grads().keySet());
        r.grads().forEach((k, g) -> close("gradient of " + k, g, c.grads().get(k), 1e-4, 1e-7));
        // after two Adam steps (lr 1e-3) parameters agree to a small fraction of one step
        r.params().forEach((k, p) -> close(k + " after two steps", p, c.params().get(k), 1e-5, 2e-5));
        assertEquals(r.buffers().keySet(), c.buffers().keySet());
        r.buffers().forEach((k, b) -> close(k + " after two steps", b, c.buffers().get(k), 1e-4, 1e-6));
    }

    // ---- the checks fail on a wrong backend ---------------------------------------------------------------------------------

    /** The reference backend with one kernel wrong. */
    private abstract static class Wrong extends ReferenceBackend {
        private final String name;

        Wrong(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }
    }

    @Test
    void aConvolutionWithAFlippedKernelFails() {
        Backend wrong = new Wrong("convolution, not correlation") {
            @Override
            public void conv3d(ConvGeometry g, Storage x, Storage w, Storage bias, Storage y) {
                float[] ws = arr(w), flipped = new float[ws.length];
                int k = g.kd() * g.kh() * g.kw();
                for (int i = 0; i < ws.length; i++) flipped[i] = ws[i - i % k + (k - 1 - i % k)];
                Storage f = upload(flipped);
                super.conv3d(g, x, f, bias, y);
                f.free();
            }
        };
        assertThrows(AssertionError.class, () -> conv3dForwardAndBothBackwardPasses(wrong, same3(1, 3, 5, 7, 19, 7)));
    }

    @Test
    void aUnaryKernelThatSkipsTheVectorTailFails() {
        Backend wrong = new Wrong("no tail") {
            @Override
            public void unary(UnaryOp op, float a, float b, Storage x, Storage out, long n) {
                super.unary(op, a, b, x, out, n - n % 8);
            }
        };
        assertThrows(AssertionError.class, () -> unary(wrong, UnaryOp.RELU));
    }

    @Test
    void aCopyOffByOneUlpFails() {
        Backend wrong = new Wrong("one ulp") {
            @Override
            public void copy(View src, View dst) {
                super.copy(src, dst);
                float[] d = arr(dst.storage());
                d[(int) dst.offset()] = Math.nextUp(d[(int) dst.offset()]);
            }
        };
        Layout[] c = {Layout.permuted(new int[] {4, 5, 33}, 2, 0, 1), Layout.dense(33, 4, 5)};
        assertThrows(AssertionError.class, () -> copyBetweenStridedViews(wrong, c));
    }
}
