package dev.deepanat.kernels.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CUDA C kernels compile to CUBIN for Hopper (sm_90) and Blackwell (sm_100), without a GPU: through our own NVRTC
 * bindings where a real {@code libnvrtc.so.*} is found (set {@code DEEPANAT_CUDA_LIBS} to its folder), and with the
 * toolkit's {@code nvcc} where it is installed. Each is skipped, with one line saying why, where its tool is absent.
 */
class KernelCompileTest {
    static final int[] ARCHS = {90, 100};

    static List<String> kernelNames() {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(").matcher(CudaKernels.source());
        while (m.find()) names.add(m.group(1));
        return names;
    }

    static void isCubinWithEveryKernel(byte[] cubin, String what) {
        assertTrue(cubin.length > 1000 && cubin[0] == 0x7f && cubin[1] == 'E' && cubin[2] == 'L' && cubin[3] == 'F', what + ": not an ELF CUBIN");
        String text = new String(cubin, StandardCharsets.ISO_8859_1);
        for (String k : kernelNames()) assertTrue(text.contains(k), what + ": kernel " + k + " missing from the CUBIN");
    }

    private static Optional<Nvrtc> nvrtc() {
        LibrarySearch s = LibrarySearch.fromEnvironment();
        if (s.find("libnvrtc", 0).isEmpty()) return Optional.empty();
        return Optional.of(new Nvrtc(CudaLibraries.nvrtc(s)));
    }

    @Test
    void theKernelsCompileThroughOurNvrtcBindings() {
        Optional<Nvrtc> nv = nvrtc();
        Assumptions.assumeTrue(nv.isPresent(), "no libnvrtc.so.* found (set DEEPANAT_CUDA_LIBS): NVRTC compile not checked");
        Nvrtc n = nv.get();
        System.out.println("NVRTC " + n.version() + " from " + n.lib.file());
        List<Integer> archs = java.util.Arrays.stream(n.supportedArchs()).boxed().toList();
        assertEquals(13, Integer.parseInt(n.version().split("\\.")[0]), "NVRTC major");
        assertTrue(kernelNames().size() >= 12, kernelNames().toString());
        for (int cc : ARCHS) {
            assertTrue(archs.contains(cc), "NVRTC supports sm_" + cc + ": " + archs);
            isCubinWithEveryKernel(n.compileCubin(CudaKernels.source(), "deepanat.cu", cc, CudaKernels.OPTIONS), "NVRTC sm_" + cc);
        }
    }

    @Test
    void aCompileErrorCarriesNvrtcsLog() {
        Optional<Nvrtc> nv = nvrtc();
        Assumptions.assumeTrue(nv.isPresent(), "no libnvrtc.so.* found (set DEEPANAT_CUDA_LIBS): NVRTC errors not checked");
        CudaException e = assertThrows(CudaException.class,
                () -> nv.get().compileCubin("extern \"C\" __global__ void k(float* p) { p[0] = undefined_name; }", "broken.cu", 90, List.of()));
        assertTrue(e.getMessage().startsWith("nvrtcCompileProgram of broken.cu for sm_90 failed: NVRTC_ERROR_COMPILATION"), e.getMessage());
        assertTrue(e.getMessage().contains("undefined_name"), "the log names the error: " + e.getMessage());
        assertEquals("NVRTC_ERROR_INVALID_INPUT", nv.get().errorText(3));
    }

    static Optional<Path> nvcc() {
        for (String p : new String[] {System.getenv().getOrDefault("CUDA_HOME", "/usr/local/cuda") + "/bin/nvcc", "/usr/bin/nvcc"})
            if (Files.isExecutable(Path.of(p))) return Optional.of(Path.of(p));
        return Optional.empty();
    }

    @Test
    void theKernelsCompileWithNvcc(@TempDir Path tmp) throws IOException, InterruptedException {
        Optional<Path> nvcc = nvcc();
        Assumptions.assumeTrue(nvcc.isPresent(), "no nvcc: the nvcc compile is not checked");
        Path src = Files.writeString(tmp.resolve("deepanat.cu"), CudaKernels.source());
        for (int cc : ARCHS) {
            Path out = tmp.resolve("k" + cc + ".cubin");
            Process p = new ProcessBuilder(nvcc.get().toString(), "-cubin", "-arch=sm_" + cc, "-fmad=false", "-o", out.toString(),
                    src.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "nvcc sm_" + cc + ":\n" + log);
            isCubinWithEveryKernel(Files.readAllBytes(out), "nvcc sm_" + cc);
        }
    }
}
