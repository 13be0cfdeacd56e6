package dev.deepanat.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.deepanat.kernels.cuda.Fn.PTR;

/**
 * Our own CUDA C kernels ({@code kernels/src/main/cuda/deepanat.cu}, packaged as a resource): compiled once per process
 * by NVRTC to a CUBIN for the device's {@code sm_XX}, loaded with {@code cuModuleLoadData}, launched on the backend's
 * stream. Arguments are boxed by type: {@link Long} for a pointer or a {@code long long}, {@link Integer},
 * {@link Float}, {@link Double}, and {@code int[]} for a struct of ints passed by value.
 */
final class CudaKernels {
    static final String SOURCE = "/dev/deepanat/kernels/cuda/deepanat.cu";
    /** NVRTC options: no fused multiply-add contraction, so that float arithmetic rounds as Java's does. */
    static final List<String> OPTIONS = List.of("--fmad=false", "--std=c++17");
    static final int BLOCK = 256;

    private final Driver cu;
    private final MemorySegment module;
    private final Map<String, MemorySegment> functions = new HashMap<>();
    private final int maxBlocks;

    CudaKernels(Driver cu, Nvrtc nvrtc, int cc, int multiprocessors) {
        this.cu = cu;
        int[] archs = nvrtc.supportedArchs();
        int arch = Nvrtc.cubinArch(cc, archs);
        if (arch < 0)
            throw new CudaException("NVRTC " + nvrtc.version() + " cannot compile for sm_" + cc + " (it knows "
                    + java.util.Arrays.toString(archs) + "): a newer NVRTC is needed (DEEPANAT_CUDA_LIBS)");
        byte[] cubin = nvrtc.compileCubin(source(), "deepanat.cu", arch, OPTIONS);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(PTR);
            // the ELF image 16-byte aligned, as a file the driver would map (an arena's byte array need not be)
            MemorySegment image = a.allocate(cubin.length, 16);
            MemorySegment.copy(cubin, 0, image, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, cubin.length);
            cu.call(Driver.cuModuleLoadData, m, image);
            module = m.get(PTR, 0);
        }
        this.maxBlocks = Math.max(1, multiprocessors) * 32;
    }

    /** The CUDA C source of the kernels. */
    static String source() {
        try (InputStream in = CudaKernels.class.getResourceAsStream(SOURCE)) {
            if (in == null) throw new CudaException("kernel source " + SOURCE + " missing from the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CudaException("cannot read " + SOURCE + ": " + e.getMessage(), e);
        }
    }

    private MemorySegment function(String name) {
        return functions.computeIfAbsent(name, n -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment f = a.allocate(PTR);
                cu.call(Driver.cuModuleGetFunction, f, module, a.allocateFrom(n));
                return f.get(PTR, 0);
            }
        });
    }

    /** A grid-stride kernel over n elements. */
    void launch(MemorySegment stream, String name, long n, Object... args) {
        launchGrid(stream, name, Descriptors.blocks(n, BLOCK, maxBlocks), args);
    }

    /** A kernel with an explicit number of blocks of {@link #BLOCK} threads. */
    void launchGrid(MemorySegment stream, String name, int blocks, Object... args) {
        MemorySegment f = function(name);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(PTR, args.length);
            for (int i = 0; i < args.length; i++) params.setAtIndex(PTR, i, argument(a, args[i]));
            cu.call(Driver.cuLaunchKernel, f, blocks, 1, 1, BLOCK, 1, 1, 0, stream, params, MemorySegment.NULL);
        }
    }

    int maxBlocks() {
        return maxBlocks;
    }

    /** Memory holding one kernel argument's bytes (cuLaunchKernel copies them at the call). */
    static MemorySegment argument(Arena a, Object v) {
        return switch (v) {
            case Long l -> a.allocateFrom(Fn.LONG, l);
            case Integer i -> a.allocateFrom(Fn.INT, i);
            case Float f -> a.allocateFrom(Fn.FLOAT, f);
            case Double d -> a.allocateFrom(Fn.DOUBLE, d);
            case int[] s -> a.allocateFrom(Fn.INT, s);
            default -> throw new IllegalArgumentException("kernel argument of type " + v.getClass());
        };
    }
}
