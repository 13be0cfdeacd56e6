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
            int start = Math.max(Math.max(text.lastIndexOf(';', m.start()), text.lastIndexOf('}', m.start())),
                    Math.max(text.lastIndexOf('{', m.start()), text.lastIndexOf('\n', m.start())));
            String ret = text.substring(start + 1, m.start()).replaceAll("\\b(extern|CUDAAPI|NVRTC_API|__CUDA_DEPRECATED)\\b", "").trim();
            if (ret.isEmpty() || ret.startsWith("#")) continue;
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

    @Test
    void nvrtcBindingsMatchNvrtcH() throws IOException {
        Path h = INCLUDE.resolve("nvrtc.h");
        Assumptions.assumeTrue(Files.exists(h), "nvrtc.h not found in " + INCLUDE + ": NVRTC prototypes not checked");
        String header = withoutComments(Files.readString(h));
        for (Fn f : Nvrtc.ALL) {
            String decl = declaration(header, f.symbol());
            if (decl == null) fail(f.symbol() + " is not declared in " + h);
            matches(f, decl);
        }
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
