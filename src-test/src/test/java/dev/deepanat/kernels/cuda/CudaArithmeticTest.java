package dev.deepanat.kernels.cuda;

import dev.deepanat.engine.backend.BinaryOp;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.HeapStorage;
import dev.deepanat.engine.backend.UnaryOp;
import dev.deepanat.engine.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.deepanat.engine.Conformance.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pure-Java parts of the CUDA backend, checked without a GPU: the allocator's size classes, the gemm operand swap
 * (run as a column-major gemm written out here), the explicit padding of asymmetric convolutions (run on the reference
 * backend), descriptor strides, kernel argument packing, the launch grid, the algorithm-cache key, the TF32 switch,
 * and that the CUDA source's op tables follow the Java enums.
 */
class CudaArithmeticTest {
    static final ReferenceBackend REF = ReferenceBackend.INSTANCE;

    @Test
    void sizeClassesRoundUpAndAreStable() {
        assertEquals(512, SizeClasses.classOf(0));
        assertEquals(512, SizeClasses.classOf(4));
        assertEquals(1024, SizeClasses.classOf(513));
        assertEquals(1 << 20, SizeClasses.classOf((1 << 20) - 1));
        assertEquals(2 << 20, SizeClasses.classOf(1 << 20));
        assertEquals(10L << 20, SizeClasses.classOf((9L << 20) + 1));
        assertEquals(20L << 20, SizeClasses.classOf(10L << 20));
        assertEquals(40L << 20, SizeClasses.classOf((20L << 20) + 1));
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 10000; i++) {
            long b = rng.nextLong(1L << 34);
            long c = SizeClasses.classOf(b);
            assertTrue(c >= b && c % 512 == 0, b + " → " + c);
            long waste = c - b, bound = b < SizeClasses.SMALL ? 512 : b < SizeClasses.MEDIUM ? 2L << 20 : 20L << 20;
            assertTrue(waste < bound, "waste of " + b + " → " + c);
            assertEquals(c, SizeClasses.classOf(c - 1 < b ? b : c - 1), "a class serves its own size");
        }
        assertThrows(IllegalArgumentException.class, () -> SizeClasses.classOf(-1));
    }

    /** cublasSgemm's definition: column-major C = op(A)·op(B) + beta·C with leading dimensions. */
    static void sgemmColumnMajor(int opA, int opB, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float beta, float[] c, int cOff, int ldc) {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    float av = opA == Cublas.CUBLAS_OP_N ? a[aOff + i + p * lda] : a[aOff + p + i * lda];
                    float bv = opB == Cublas.CUBLAS_OP_N ? b[bOff + p + j * ldb] : b[bOff + j + p * ldb];
                    acc += (double) av * bv;
                }
                int ci = cOff + i + j * ldc;
                c[ci] = (float) (acc + (beta == 0 ? 0 : beta * c[ci]));
            }
    }

    @Test
    void rowMajorGemmMapsToColumnMajorCublasBySwappingOperands() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int[] d : new int[][] {{1, 1, 1}, {3, 5, 7}, {8, 1, 9}, {1, 6, 4}, {17, 13, 11}})
            for (boolean ta : new boolean[] {false, true})
                for (boolean tb : new boolean[] {false, true})
                    for (float beta : new float[] {0f, 1f, 0.5f}) {
                        int m = d[0], n = d[1], k = d[2], ao = 3, bo = 5, co = 2;
                        float[] a = random(rng, ao + m * k), b = random(rng, bo + k * n), c0 = random(rng, co + m * n);
                        HeapStorage as = new HeapStorage(REF, a.clone()), bs = new HeapStorage(REF, b.clone()),
                                cs = new HeapStorage(REF, c0.clone());
                        REF.gemm(ta, tb, m, n, k, as, ao, bs, bo, beta, cs, co);
                        float[] got = c0.clone();
                        Cublas.GemmArgs g = Cublas.GemmArgs.rowMajor(ta, tb, m, n, k);
                        // first operand B, second A, as Cublas.Handle.sgemmRowMajor passes them
                        sgemmColumnMajor(g.opFirst(), g.opSecond(), g.m(), g.n(), g.k(), b, bo, g.ldFirst(), a, ao, g.ldSecond(),
                                beta, got, co, g.ldc());
                        assertArrayEquals(cs.data(), got, 1e-6f, "gemm " + Arrays.toString(d) + " ta=" + ta + " tb=" + tb + " beta=" + beta);
                    }
    }

    /** da_pad of deepanat.cu, written out: out[nc,z,y,x] = in[nc, z−pz, y−py, x−px] or 0. */
    static float[] pad(float[] in, long nc, int d, int h, int w, int pz, int py, int px, int od, int oh, int ow) {
        float[] out = new float[(int) (nc * od * oh * ow)];
        int i = 0;
        for (int q = 0; q < nc; q++)
            for (int z = 0; z < od; z++)
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++, i++) {
                        int sz = z - pz, sy = y - py, sx = x - px;
                        out[i] = sz >= 0 && sz < d && sy >= 0 && sy < h && sx >= 0 && sx < w
                                ? in[((q * d + sz) * h + sy) * w + sx] : 0f;
                    }
        return out;
    }

    static ConvGeometry geometry(int n, int cin, int d, int h, int w, int cout, int k, int s, int p, int od, int oh, int ow) {
        return new ConvGeometry(n, cin, d, h, w, cout, k, k, k, s, s, s, p, p, p, od, oh, ow);
    }

    @Test
    void symmetricGeometriesGoToCudnnAsTheyAre() {
        Descriptors.ConvPlan p = Descriptors.ConvPlan.of(geometry(1, 2, 8, 8, 8, 3, 3, 1, 1, 8, 8, 8));
        assertFalse(p.explicit());
        assertArrayEquals(new int[] {1, 1, 1}, p.cudnnPad());
        assertFalse(Descriptors.ConvPlan.of(geometry(1, 2, 9, 9, 9, 3, 3, 2, 1, 5, 5, 5)).explicit());
        assertFalse(Descriptors.ConvPlan.of(geometry(1, 2, 8, 8, 8, 3, 2, 2, 0, 4, 4, 4)).explicit());
        assertFalse(Descriptors.ConvPlan.of(geometry(1, 2, 7, 7, 7, 2, 2, 2, 0, 3, 3, 3)).explicit()); // floor mode: same windows
    }

    /**
     * TensorFlow's 'same' with stride 2 on an even size pads 0 before and 1 after: cuDNN cannot express it, so the
     * input is padded explicitly. Forward, backward-data (crop) and backward-weight on the padded volume with cuDNN's
     * padding 0 equal the reference's on the original geometry.
     */
    @Test
    void asymmetricPaddingRunsOnAnExplicitlyPaddedInput() {
        SplittableRandom rng = new SplittableRandom(9);
        for (ConvGeometry g : List.of(
                new ConvGeometry(2, 3, 1, 8, 6, 4, 1, 3, 3, 1, 2, 2, 0, 0, 0, 1, 4, 3),   // 2D 'same', stride 2: pad (0, 1)
                new ConvGeometry(1, 2, 6, 6, 6, 3, 3, 3, 3, 2, 2, 2, 0, 0, 0, 3, 3, 3),   // 3D 'same' stride 2
                new ConvGeometry(1, 2, 8, 7, 7, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 3, 3, 3),   // input past the last window
                new ConvGeometry(1, 1, 5, 5, 5, 2, 3, 3, 3, 1, 1, 1, 2, 1, 0, 5, 5, 3))) { // mixed before/after
            Descriptors.ConvPlan plan = Descriptors.ConvPlan.of(g);
            assertTrue(plan.explicit(), g.toString());
            int[] pd = plan.padded();
            ConvGeometry onPadded = new ConvGeometry(g.n(), g.cIn(), pd[0], pd[1], pd[2], g.cOut(), g.kd(), g.kh(), g.kw(),
                    g.sd(), g.sh(), g.sw(), 0, 0, 0, g.od(), g.oh(), g.ow());
            assertFalse(Descriptors.ConvPlan.of(onPadded).explicit(), "the padded geometry is symmetric for cuDNN");
            long nc = (long) g.n() * g.cIn();
            float[] x = random(rng, (int) g.inputSize()), w = random(rng, (int) g.weightSize()), dy = random(rng, (int) g.outputSize());
            float[] xp = pad(x, nc, g.d(), g.h(), g.w(), g.pd(), g.ph(), g.pw(), pd[0], pd[1], pd[2]);
            // forward
            HeapStorage y1 = new HeapStorage(REF, new float[(int) g.outputSize()]), y2 = new HeapStorage(REF, new float[(int) g.outputSize()]);
            REF.conv3d(g, new HeapStorage(REF, x), new HeapStorage(REF, w), null, y1);
            REF.conv3d(onPadded, new HeapStorage(REF, xp), new HeapStorage(REF, w), null, y2);
            assertArrayEquals(y1.data(), y2.data(), 1e-6f, "forward " + g);
            // backward data: on the padded volume, then cropped
            HeapStorage dx1 = new HeapStorage(REF, new float[(int) g.inputSize()]), dxp = new HeapStorage(REF, new float[xp.length]);
            REF.conv3dBackwardData(g, new HeapStorage(REF, dy), new HeapStorage(REF, w), dx1);
            REF.conv3dBackwardData(onPadded, new HeapStorage(REF, dy), new HeapStorage(REF, w), dxp);
            float[] dx2 = pad(dxp.data(), nc, pd[0], pd[1], pd[2], -g.pd(), -g.ph(), -g.pw(), g.d(), g.h(), g.w());
            assertArrayEquals(dx1.data(), dx2, 1e-6f, "backward data " + g);
            // backward weight
            HeapStorage dw1 = new HeapStorage(REF, new float[(int) g.weightSize()]), dw2 = new HeapStorage(REF, new float[(int) g.weightSize()]);
            REF.conv3dBackwardWeight(g, new HeapStorage(REF, x), new HeapStorage(REF, dy), dw1, null);
            REF.conv3dBackwardWeight(onPadded, new HeapStorage(REF, xp), new HeapStorage(REF, dy), dw2, null);
            assertArrayEquals(dw1.data(), dw2.data(), 1e-5f, "backward weight " + g);
        }
    }

    @Test
    void twoDimensionalConvolutionsGoToCudnnAs4d() {
        ConvGeometry flat = new ConvGeometry(2, 3, 1, 8, 6, 4, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 8, 6);
        assertTrue(Descriptors.isFlat(flat, Descriptors.ConvPlan.of(flat)));
        assertArrayEquals(new int[] {2, 3, 8, 6}, Descriptors.drop(new int[] {2, 3, 1, 8, 6}, true));
        assertArrayEquals(new int[] {2, 3, 1, 8, 6}, Descriptors.drop(new int[] {2, 3, 1, 8, 6}, false));
        ConvGeometry deep = geometry(1, 2, 8, 8, 8, 3, 3, 1, 1, 8, 8, 8);
        assertFalse(Descriptors.isFlat(deep, Descriptors.ConvPlan.of(deep)));
        ConvGeometry depthPadded = new ConvGeometry(1, 1, 1, 4, 4, 1, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 4, 4); // a 3×3×3 kernel on one slice
        assertFalse(Descriptors.isFlat(depthPadded, Descriptors.ConvPlan.of(depthPadded)));
    }

    @Test
    void descriptorStridesAreRowMajor() {
        assertArrayEquals(new int[] {240, 80, 20, 5, 1}, Descriptors.denseStrides(new int[] {2, 3, 4, 4, 5}));
        assertArrayEquals(new int[] {1}, Descriptors.denseStrides(new int[] {7}));
        assertThrows(IllegalArgumentException.class, () -> Descriptors.denseStrides(new int[] {2, 70000, 70000}));
        Descriptors.ConvPlan p = Descriptors.ConvPlan.of(geometry(2, 3, 8, 8, 8, 4, 3, 1, 1, 8, 8, 8));
        assertArrayEquals(new int[] {2, 3, 8, 8, 8}, Descriptors.cudnnInput(geometry(2, 3, 8, 8, 8, 4, 3, 1, 1, 8, 8, 8), p));
    }

    /** struct Strided { int rank; int shape[8]; int s0[8]; int s1[8]; }: 100 bytes, ints at these offsets. */
    @Test
    void stridedArgumentsPackAsTheCudaStruct() {
        int[] s = Descriptors.strided(new int[] {2, 3, 4}, new int[] {12, 4, 1}, new int[] {0, 1, 0});
        assertEquals(1 + 3 * Descriptors.MAX_RANK, s.length);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = CudaKernels.argument(a, s);
            assertEquals(100, m.byteSize());
            assertEquals(3, m.get(Fn.INT, 0));
            assertEquals(4, m.get(Fn.INT, 4 + 2 * 4));          // shape[2]
            assertEquals(4, m.get(Fn.INT, 4 + 32 + 1 * 4));     // s0[1]
            assertEquals(1, m.get(Fn.INT, 4 + 64 + 1 * 4));     // s1[1]
            assertEquals(8, CudaKernels.argument(a, 7L).byteSize());
            assertEquals(4, CudaKernels.argument(a, 7).byteSize());
            assertEquals(4, CudaKernels.argument(a, 1f).byteSize());
            assertEquals(8, CudaKernels.argument(a, 1.0).byteSize());
        }
        assertThrows(IllegalArgumentException.class, () -> Descriptors.strided(new int[9], new int[9], new int[9]));
        assertEquals(13, Descriptors.pool(6, 1, 2, 3, 1, 2, 2, 1, 2, 2, 1, 1, 1).length);
        assertThrows(IllegalArgumentException.class, () -> Descriptors.pool(1L << 31, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
    }

    /** The CUDA structs of deepanat.cu have exactly the ints Java packs. */
    @Test
    void cudaStructsHaveTheFieldsJavaPacks() {
        String src = CudaKernels.source();
        Matcher strided = Pattern.compile("struct Strided \\{([^}]*)\\}").matcher(src);
        assertTrue(strided.find());
        assertEquals(List.of("int rank", "int shape[MAXR]", "int s0[MAXR]", "int s1[MAXR]"), fields(strided.group(1)));
        assertTrue(src.contains("#define MAXR " + Descriptors.MAX_RANK));
        Matcher pool = Pattern.compile("struct Pool \\{([^}]*)\\}").matcher(src);
        assertTrue(pool.find());
        assertEquals(List.of("int nc, d, h, w", "int kd, kh, kw, sd, sh, sw", "int od, oh, ow"), fields(pool.group(1)));
    }

    private static List<String> fields(String body) {
        return Arrays.stream(body.replaceAll("//[^\n]*", "").split(";")).map(String::trim).filter(f -> !f.isEmpty()).toList();
    }

    @Test
    void launchGridsCoverEveryElementWithinTheLimit() {
        assertEquals(1, Descriptors.blocks(0, 256, 4224));
        assertEquals(1, Descriptors.blocks(1, 256, 4224));
        assertEquals(1, Descriptors.blocks(256, 256, 4224));
        assertEquals(2, Descriptors.blocks(257, 256, 4224));
        assertEquals(4224, Descriptors.blocks(1L << 40, 256, 4224)); // the grid-stride loop covers the rest
        for (long n : new long[] {1, 255, 256, 257, 100000, 1L << 31, (1L << 31) + 1}) {
            int b = Descriptors.blocks(n, 256, Integer.MAX_VALUE);
            assertTrue((long) b * 256 >= n && (long) (b - 1) * 256 < n, "n=" + n + " blocks=" + b);
        }
    }

    @Test
    void theAlgorithmCacheKeyIsTheGeometryAndTheTf32Setting() {
        ConvGeometry a = geometry(1, 2, 8, 8, 8, 3, 3, 1, 1, 8, 8, 8), b = geometry(1, 2, 8, 8, 8, 3, 3, 1, 1, 8, 8, 8),
                c = geometry(2, 2, 8, 8, 8, 3, 3, 1, 1, 8, 8, 8);
        assertEquals(new CudaConv.Key(a, true), new CudaConv.Key(b, true));
        assertEquals(new CudaConv.Key(a, true).hashCode(), new CudaConv.Key(b, true).hashCode());
        assertNotEquals(new CudaConv.Key(a, true), new CudaConv.Key(a, false));
        assertNotEquals(new CudaConv.Key(a, true), new CudaConv.Key(c, true));
    }

    @Test
    void tf32IsOnUnlessThePropertyOrTheEnvironmentSayOtherwise() {
        assertTrue(CudaConv.tf32Default(null, null));
        assertFalse(CudaConv.tf32Default("false", null));
        assertTrue(CudaConv.tf32Default("true", "0"));   // the property wins
        assertFalse(CudaConv.tf32Default(null, "0"));
        assertFalse(CudaConv.tf32Default(" ", "false"));
        assertTrue(CudaConv.tf32Default(null, "1"));
    }

    /** The kernels switch on the Java enums' ordinals: their order in deepanat.cu must be the enums'. */
    @Test
    void theCudaOpTablesFollowTheJavaEnums() {
        String src = CudaKernels.source();
        assertEquals(Arrays.stream(UnaryOp.values()).map(o -> "U_" + o.name()).toList(), enumNames(src, "U_NEG"));
        assertEquals(Arrays.stream(BinaryOp.values()).map(o -> "B_" + o.name()).toList(), enumNames(src, "B_ADD"));
        for (UnaryOp op : UnaryOp.values()) assertTrue(src.contains("case U_" + op.name() + ":"), "no case for " + op);
    }

    private static List<String> enumNames(String src, String first) {
        Matcher m = Pattern.compile("enum \\{\\s*(" + first + "[^}]*)\\}").matcher(src);
        assertTrue(m.find(), first);
        return Arrays.stream(m.group(1).split(",")).map(String::trim).toList();
    }
}
