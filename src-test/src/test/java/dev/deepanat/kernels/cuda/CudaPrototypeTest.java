package dev.deepanat.kernels.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Each binding's {@link java.lang.foreign.FunctionDescriptor} against a C prototype: the driver's and NVRTC's against
 * the declarations in the CUDA toolkit's own headers ({@code cuda.h}, {@code nvrtc.h}; skipped where the toolkit is
 * absent), and every binding (cuBLAS and cuDNN included) against the prototype written in its javadoc.
 */
class CudaPrototypeTest {
    static final Path INCLUDE = Path.of(System.getenv().getOrDefault("CUDA_HOME", "/usr/local/cuda"), "include");

    /** The layout a C parameter type is passed as on x86-64 Linux / aarch64 Linux. */
    static MemoryLayout layoutOf(String param) {
        String t = param.replaceAll("\\bconst\\b", "").replaceAll("\\s+", " ").trim();
        if (t.contains("*") || t.contains("[")) return ValueLayout.ADDRESS;
        String type = t.split(" ")[0];
        return switch (type) {
            case "size_t", "CUdeviceptr", "cuuint64_t", "CUdeviceptr_v2" -> ValueLayout.JAVA_LONG;
            case "double" -> ValueLayout.JAVA_DOUBLE;
            case "float" -> ValueLayout.JAVA_FLOAT;
            case "void" -> null;
            case "int", "unsigned", "CUdevice", "CUresult", "nvrtcResult", "cublasStatus_t", "cudnnStatus_t" -> ValueLayout.JAVA_INT;
            default -> {
                // handles are pointers to opaque structs; enums are ints
                if (type.matches("CU(context|stream|module|function|event|memoryPool)|cudaStream_t|nvrtcProgram|cublasHandle_t"
                        + "|cudnn(Handle|TensorDescriptor|FilterDescriptor|ConvolutionDescriptor)_t")) yield ValueLayout.ADDRESS;
                if (type.matches("CU\\w+_attribute|CUdevice_attribute|cublas(Operation|Math)_t|libraryPropertyType"
                        + "|cudnn(DataType|TensorFormat|ConvolutionMode|MathType|BatchNormMode|ConvolutionFwdAlgo|ConvolutionBwdDataAlgo|ConvolutionBwdFilterAlgo)_t"))
                    yield ValueLayout.JAVA_INT;
                throw new IllegalArgumentException("unknown C type '" + type + "' in '" + param + "'");
            }
        };
    }

    static List<MemoryLayout> parameters(String prototype) {
        String inside = prototype.substring(prototype.indexOf('(') + 1, prototype.lastIndexOf(')')).trim();
        List<MemoryLayout> out = new ArrayList<>();
        if (inside.equals("void") || inside.isEmpty()) return out;
        for (String p : inside.split(",")) out.add(layoutOf(p));
        return out;
    }

    private static String carrier(MemoryLayout l) {
        return l instanceof AddressLayout ? "pointer" : l instanceof ValueLayout v ? v.carrier().getSimpleName() : l.toString();
    }

    static void matches(Fn f, String prototype) {
        List<MemoryLayout> want = parameters(prototype);
        List<MemoryLayout> got = f.descriptor().argumentLayouts();
        assertEquals(want.size(), got.size(), f.symbol() + ": parameter count of " + prototype);
        for (int i = 0; i < want.size(); i++)
            assertEquals(carrier(want.get(i)), carrier(got.get(i)), f.symbol() + ": parameter " + i + " of " + prototype);
        String ret = prototype.substring(0, prototype.indexOf(f.symbol().replaceAll("_v2$", "") + "(") >= 0
                ? prototype.indexOf(f.symbol().replaceAll("_v2$", "") + "(") : prototype.indexOf(f.symbol() + "(")).trim();
        MemoryLayout r = layoutOf(ret);
        assertEquals(carrier(r), carrier(f.descriptor().returnLayout().orElseThrow()), f.symbol() + ": return type " + ret);
    }

    static List<Fn> all() {
        List<Fn> fns = new ArrayList<>(Driver.ALL);
        fns.addAll(Nvrtc.ALL);
        fns.addAll(Cublas.ALL);
        fns.addAll(Cudnn.ALL);
        return fns;
    }

    @Test
    void everyDescriptorMatchesTheJavadocPrototype() {
        for (Fn f : all()) matches(f, f.prototype());
        assertEquals(all().size(), all().stream().map(Fn::symbol).distinct().count(), "one Fn per symbol");
    }

    /** The declaration of a function in a header: "RET API name(params);", whitespace normalized, comments dropped. */
    static String declaration(String text, String symbol) {
        Matcher m = Pattern.compile("\\b" + Pattern.quote(symbol) + "\\s*\\(").matcher(text);
        while (m.find()) {
            int close = text.indexOf(')', m.end());
            if (close < 0 || !text.substring(close + 1).stripLeading().startsWith(";")) continue;
            int start = Math.max(Math.max(text.lastIndexOf(';', m.start()), text.lastIndexOf('}', m.start())), text.lastIndexOf('{', m.start()));
            String ret = text.substring(start + 1, m.start()).lines().filter(l -> !l.strip().startsWith("#"))
                    .collect(java.util.stream.Collectors.joining(" "))
                    .replaceAll("\\b(extern|CUDAAPI|NVRTC_API|__CUDA_DEPRECATED|CUDNNWINAPI|CUDNN_DEPRECATED|CUBLASAPI|CUBLASWINAPI)\\b", "")
                    .replaceAll("\\s+", " ").trim();
            if (ret.isEmpty() || ret.contains("(") || ret.contains("=")) continue;
            return ret + " " + symbol + "(" + text.substring(m.end(), close).replaceAll("\\s+", " ").trim() + ")";
        }
        return null;
    }

    @Test
    void driverBindingsMatchCudaH() throws IOException {
        Path h = INCLUDE.resolve("cuda.h");
        Assumptions.assumeTrue(Files.exists(h), "cuda.h not found in " + INCLUDE + ": driver prototypes not checked");
        String header = withoutComments(Files.readString(h));
        for (Fn f : Driver.ALL) {
            // declared under its API name; the #define maps it to the _v2 export (checked below)
            String api = f.symbol().replaceAll("_v2$", "");
            String decl = declaration(header, api);
            if (decl == null) fail(api + " is not declared in " + h);
            matches(f, decl);
        }
    }

    @Test
    void driverSymbolsAreTheExportsCudaHMapsTheApiNamesTo() throws IOException {
        Path h = INCLUDE.resolve("cuda.h");
        Assumptions.assumeTrue(Files.exists(h), "cuda.h not found in " + INCLUDE);
        String header = withoutComments(Files.readString(h));
        for (Fn f : Driver.ALL) {
            String api = f.symbol().replaceAll("_v2$", "");
            // "#define cuMemcpyHtoDAsync __CUDA_API_PTSZ(cuMemcpyHtoDAsync_v2)" or "#define cuStreamDestroy cuStreamDestroy_v2"
            Matcher m = Pattern.compile("#define\\s+" + Pattern.quote(api) + "\\s+(?:__CUDA_API_PTS?Z\\()?(\\w+)").matcher(header);
            String export = m.find() ? m.group(1) : api;
            assertEquals(export, f.symbol(), api + " is exported as " + export);
        }
    }

    /**
     * The folders holding vendor headers: the toolkit's include folder and those of {@code DEEPANAT_CUDA_HEADERS} (a path
     * list; on the GPU machines the pip wheels' {@code nvidia/cudnn/include} and {@code nvidia/cu13/include}).
     */
    static List<Path> headerFolders() {
        List<Path> dirs = new ArrayList<>(List.of(INCLUDE));
        dirs.addAll(LibrarySearch.pathList(System.getenv("DEEPANAT_CUDA_HEADERS")));
        return dirs;
    }

    static String headers(String... names) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path d : headerFolders())
            for (String n : names)
                if (Files.isRegularFile(d.resolve(n))) sb.append(withoutComments(Files.readString(d.resolve(n)))).append("\n;\n");
        return sb.toString();
    }

    private static void againstHeaders(String what, List<Fn> fns, String... headerNames) throws IOException {
        String text = headers(headerNames);
        Assumptions.assumeTrue(!text.isEmpty(), what + " headers " + List.of(headerNames) + " not found in " + headerFolders()
                + " (set DEEPANAT_CUDA_HEADERS): " + what + " prototypes checked against their javadoc only");
        for (Fn f : fns) {
            String decl = declaration(text, f.symbol());
            if (decl == null) fail(f.symbol() + " is not declared in " + List.of(headerNames));
            matches(f, decl);
        }
    }

    @Test
    void nvrtcBindingsMatchNvrtcH() throws IOException {
        againstHeaders("NVRTC", Nvrtc.ALL, "nvrtc.h");
    }

    @Test
    void cublasBindingsMatchCublasApiH() throws IOException {
        againstHeaders("cuBLAS", Cublas.ALL, "cublas_api.h");
    }

    @Test
    void cudnnBindingsMatchTheCudnn9Headers() throws IOException {
        againstHeaders("cuDNN", Cudnn.ALL, "cudnn_graph.h", "cudnn_ops.h", "cudnn_cnn.h");
    }

    /** The value of enumerator {@code name} in header text: its "= value", or one more than the one before it. */
    static Integer enumValue(String text, String name) {
        Matcher m = Pattern.compile("\\b" + Pattern.quote(name) + "\\b\\s*(=[^,}]*)?[,}]").matcher(text);
        while (m.find()) {
            int open = text.lastIndexOf('{', m.start()), close = text.indexOf('}', m.start());
            if (open < 0 || close < 0 || text.lastIndexOf('}', m.start()) > open) continue;
            if (!text.substring(Math.max(0, open - 200), open).contains("enum")) continue;
            long v = -1;
            for (String entry : text.substring(open + 1, close).split(",")) {
                String e = entry.strip();
                if (e.isEmpty()) continue;
                String[] kv = e.split("=", 2);
                v = kv.length == 2 ? Long.decode(kv[1].strip().replaceAll("[uUlL]+$", "")) : v + 1;
                if (kv[0].strip().equals(name)) return (int) v;
            }
        }
        return null;
    }

    private static void constants(String text, Map<String, Integer> want) {
        want.forEach((name, value) -> assertEquals(value, enumValue(text, name), name));
    }

    @Test
    void enumConstantsMatchTheHeaders() throws IOException {
        String cuda = headers("cuda.h");
        Assumptions.assumeTrue(!cuda.isEmpty(), "cuda.h not found: constants not checked");
        constants(cuda, Map.of("CUDA_SUCCESS", Driver.CUDA_SUCCESS, "CUDA_ERROR_OUT_OF_MEMORY", Driver.CUDA_ERROR_OUT_OF_MEMORY,
                "CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT", Driver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
                "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR", Driver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR", Driver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                "CU_MEMPOOL_ATTR_RELEASE_THRESHOLD", Driver.CU_MEMPOOL_ATTR_RELEASE_THRESHOLD,
                "CU_MEMPOOL_ATTR_RESERVED_MEM_CURRENT", Driver.CU_MEMPOOL_ATTR_RESERVED_MEM_CURRENT,
                "CU_MEMPOOL_ATTR_USED_MEM_CURRENT", Driver.CU_MEMPOOL_ATTR_USED_MEM_CURRENT,
                "CU_STREAM_NON_BLOCKING", Driver.CU_STREAM_NON_BLOCKING, "CU_EVENT_DISABLE_TIMING", Driver.CU_EVENT_DISABLE_TIMING));
        String blas = headers("cublas_api.h");
        if (!blas.isEmpty())
            constants(blas, Map.of("CUBLAS_OP_N", Cublas.CUBLAS_OP_N, "CUBLAS_OP_T", Cublas.CUBLAS_OP_T,
                    "CUBLAS_DEFAULT_MATH", Cublas.CUBLAS_DEFAULT_MATH, "CUBLAS_TF32_TENSOR_OP_MATH", Cublas.CUBLAS_TF32_TENSOR_OP_MATH));
        String dnn = headers("cudnn_graph.h", "cudnn_ops.h", "cudnn_cnn.h");
        Assumptions.assumeTrue(!dnn.isEmpty() && !blas.isEmpty(), "cuBLAS or cuDNN headers not found in " + headerFolders()
                + " (set DEEPANAT_CUDA_HEADERS): their constants not checked");
        constants(dnn, Map.of("CUDNN_DATA_FLOAT", Cudnn.CUDNN_DATA_FLOAT, "CUDNN_TENSOR_NCHW", Cudnn.CUDNN_TENSOR_NCHW,
                "CUDNN_CROSS_CORRELATION", Cudnn.CUDNN_CROSS_CORRELATION, "CUDNN_DEFAULT_MATH", Cudnn.CUDNN_DEFAULT_MATH,
                "CUDNN_FMA_MATH", Cudnn.CUDNN_FMA_MATH, "CUDNN_BATCHNORM_SPATIAL", Cudnn.CUDNN_BATCHNORM_SPATIAL,
                "CUDNN_STATUS_SUCCESS", 0, "CUDNN_TENSOR_OP_MATH", Cudnn.CUDNN_TENSOR_OP_MATH,
                "CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION", Cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION));
        // cudnnConvolution*AlgoPerf_t: enum, enum, float, size_t, enum, enum, int[3] → offsets 0, 4, 8, 16, 24, 28, size 48
        for (String perf : List.of("cudnnConvolutionFwdAlgoPerfStruct", "cudnnConvolutionBwdDataAlgoPerfStruct", "cudnnConvolutionBwdFilterAlgoPerfStruct")) {
            Matcher m = Pattern.compile("struct " + perf + "\\s*\\{([^}]*)\\}").matcher(dnn);
            assertTrue(m.find(), perf);
            List<String> fields = java.util.Arrays.stream(m.group(1).split(";")).map(f -> f.strip().replaceAll("\\s+", " ")).filter(f -> !f.isEmpty()).toList();
            assertEquals(7, fields.size(), perf + fields);
            assertTrue(fields.get(0).endsWith(" algo") && fields.get(1).equals("cudnnStatus_t status") && fields.get(2).equals("float time")
                    && fields.get(3).equals("size_t memory") && fields.get(4).endsWith(" determinism")
                    && fields.get(5).equals("cudnnMathType_t mathType") && fields.get(6).equals("int reserved[3]"), perf + fields);
        }
        assertEquals(48, Cudnn.PERF_SIZE);
        assertEquals(16, Cudnn.PERF_MEMORY);
        assertEquals(28, Cudnn.PERF_MATH);
    }

    static String withoutComments(String header) {
        return header.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
    }

    @Test
    void aWrongDescriptorIsCaught() {
        Fn wrongArity = Fn.status("cuInit", "CUresult cuInit(unsigned int Flags)", Fn.INT, Fn.INT);
        Fn wrongType = Fn.status("cuMemFreeAsync", "CUresult cuMemFreeAsync(CUdeviceptr dptr, CUstream hStream)", Fn.INT, Fn.PTR);
        assertThrows(AssertionFailedError.class, () -> matches(wrongArity, wrongArity.prototype()));
        assertThrows(AssertionFailedError.class, () -> matches(wrongType, wrongType.prototype()));
    }

    @Test
    void theParserSeesWhatItShould() {
        assertTrue(layoutOf("const int dimA[]") instanceof AddressLayout);
        assertEquals(ValueLayout.JAVA_LONG, layoutOf("size_t bytes"));
        assertEquals(ValueLayout.JAVA_INT, layoutOf("unsigned int Flags"));
        assertTrue(layoutOf("CUstream hStream") instanceof AddressLayout);
    }
}
