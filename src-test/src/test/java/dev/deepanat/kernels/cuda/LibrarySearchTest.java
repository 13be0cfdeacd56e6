package dev.deepanat.kernels.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Library discovery over fake folders holding fake versioned sonames (empty files: nothing is loaded). */
class LibrarySearchTest {
    @TempDir Path tmp;

    private Path lib(String dir, String name) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(dir));
        return Files.createFile(d.resolve(name));
    }

    private LibrarySearch search(Map<String, String> env) {
        return LibrarySearch.from(env, tmp.resolve("home"), tmp.resolve("root"));
    }

    @Test
    void theHighestSonameMajorWinsAcrossFolders() throws IOException {
        lib("a", "libcublas.so.12");
        Path b = lib("b", "libcublas.so.13");
        lib("c", "libcublas.so.11.9.0");
        LibrarySearch s = search(Map.of("LD_LIBRARY_PATH", tmp.resolve("a") + ":" + tmp.resolve("b") + ":" + tmp.resolve("c")));
        assertEquals(b, s.find("libcublas", 0).orElseThrow().file());
        assertEquals(13, s.find("libcublas", 0).orElseThrow().major());
    }

    @Test
    void onATieTheEarlierFolderWinsAndLongVersionsCount() throws IOException {
        Path a = lib("a", "libcudnn.so.9.19.0");
        lib("b", "libcudnn.so.9");
        LibrarySearch s = search(Map.of("LD_LIBRARY_PATH", tmp.resolve("a") + ":" + tmp.resolve("b")));
        assertEquals(a, s.find("libcudnn", 0).orElseThrow().file());
    }

    @Test
    void deepanatCudaLibsComesFirstEvenWithALowerMajor() throws IOException {
        Path mine = lib("mine", "libcublas.so.12");
        lib("sys", "libcublas.so.13");
        LibrarySearch s = search(Map.of("DEEPANAT_CUDA_LIBS", tmp.resolve("mine").toString(), "LD_LIBRARY_PATH", tmp.resolve("sys").toString()));
        assertEquals(mine, s.find("libcublas", 0).orElseThrow().file());
        assertEquals(tmp.resolve("mine"), s.folders().getFirst());
    }

    @Test
    void bareNamesAndOtherLibrariesDoNotCount() throws IOException {
        lib("a", "libcudnn.so");               // a link-time stub
        lib("a", "libcudnn_ops.so.9");         // a sub-library, not libcudnn itself
        lib("a", "libcudnn.so.9.bak.txt");     // not a soname
        LibrarySearch s = search(Map.of("LD_LIBRARY_PATH", tmp.resolve("a").toString()));
        assertTrue(s.find("libcudnn", 0).isEmpty());
        assertTrue(s.find("libcudnn_ops", 0).isPresent());
    }

    @Test
    void theDriverIsOnlyLibcudaSo1() throws IOException {
        lib("a", "libcuda.so");
        lib("a", "libcuda.so.580.65.06"); // the real file behind libcuda.so.1, but not its soname
        LibrarySearch s = search(Map.of("LD_LIBRARY_PATH", tmp.resolve("a").toString()));
        assertTrue(s.find("libcuda", 1).isEmpty());
        Path one = lib("a", "libcuda.so.1");
        assertEquals(one, s.find("libcuda", 1).orElseThrow().file());
    }

    @Test
    void pythonWheelsInSitePackagesAreFound() throws IOException {
        Path cublas = lib("root/usr/local/lib/python3.12/dist-packages/nvidia/cu13/lib", "libcublas.so.13");
        Path cudnn = lib("home/.local/lib/python3.11/site-packages/nvidia/cudnn/lib", "libcudnn.so.9");
        Path nvrtc = lib("root/opt/work/.venv/lib/python3.12/site-packages/nvidia/cu13/lib", "libnvrtc.so.13");
        Path conda = lib("root/opt/conda/envs/ml/lib/python3.10/site-packages/nvidia/cublas/lib", "libcublas.so.12");
        Path venv = lib("venv/lib/python3.13/site-packages/nvidia/cuda_nvrtc/lib", "libnvrtc.so.12");
        LibrarySearch s = search(Map.of("VIRTUAL_ENV", tmp.resolve("venv").toString()));
        assertEquals(cublas, s.find("libcublas", 0).orElseThrow().file()); // 13 beats conda's 12
        assertEquals(cudnn, s.find("libcudnn", 0).orElseThrow().file());
        assertEquals(nvrtc, s.find("libnvrtc", 0).orElseThrow().file());
        assertTrue(s.folders().contains(conda.getParent()));
        assertTrue(s.folders().contains(venv.getParent()));
    }

    @Test
    void aMissingLibraryIsOneLineNamingWhatAndWhere() throws IOException {
        lib("a", "libcublas.so.13");
        LibrarySearch s = search(Map.of("LD_LIBRARY_PATH", tmp.resolve("a").toString()));
        CudaException e = assertThrows(CudaException.class, () -> CudaLibraries.cudnn(s));
        assertTrue(e.getMessage().startsWith("cuDNN not found; searched: " + tmp.resolve("a")), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertTrue(e.getMessage().contains("DEEPANAT_CUDA_LIBS"));
    }

    @Test
    void aFileThatIsNotALibraryIsAClearLoadError() throws IOException {
        Path fake = lib("a", "libcudnn.so.9");
        Files.writeString(fake, "not an ELF file");
        LibrarySearch s = search(Map.of("DEEPANAT_CUDA_LIBS", tmp.resolve("a").toString()));
        CudaException e = assertThrows(CudaException.class, () -> CudaLibraries.cudnn(s));
        assertTrue(e.getMessage().startsWith("cuDNN: cannot load " + fake), e.getMessage());
    }

    @Test
    void globMatchesOneSegmentPerStar() throws IOException {
        lib("g/python3.10/x", "f");
        lib("g/python3.12/x", "f");
        lib("g/other/x", "f");
        assertEquals(2, LibrarySearch.glob(tmp.resolve("g/python3*/x").toString()).size());
        assertFalse(LibrarySearch.glob(tmp.resolve("g/*/x/f").toString()).isEmpty());
    }

    @Test
    void everyCudnnCompanionOfTheMajorIsFoundOncePerName() throws IOException {
        lib("c", "libcudnn.so.9");
        Path graph = lib("c", "libcudnn_graph.so.9");
        lib("c", "libcudnn_graph.so.9.6.0");
        Path ir = lib("c", "libcudnn_engines_tensor_ir.so.9");   // a sub-library newer releases add
        Path ops = lib("c", "libcudnn_ops.so.9.6.0");
        lib("c", "libcudnn_cnn.so.8");                            // another major
        lib("c", "libcudnn_adv.so");                              // unversioned: a link-time name
        Path dir = tmp.resolve("c");
        assertEquals(java.util.List.of(ir, graph, ops), CudaLibraries.companionFiles(dir, "libcudnn_*", 9));
        assertEquals(java.util.List.of(graph), CudaLibraries.companionFiles(dir, "libcudnn_graph", 9));
        Path builtins = lib("n", "libnvrtc-builtins.so.13.1");
        lib("n", "libnvrtc-builtins.so.12.9");
        assertEquals(java.util.List.of(builtins), CudaLibraries.companionFiles(tmp.resolve("n"), "libnvrtc-builtins", 13));
    }

    @Test
    void aCompanionThatCannotBeLoadedIsNotedNotFatal() throws IOException {
        // a real library as the main one (the NVRTC of DEEPANAT_CUDA_LIBS, linked under cuDNN's name) and a broken
        // companion beside it: cuDNN opens its sub-libraries on demand and runs without those it cannot load
        Path real = pathOf(System.getenv("DEEPANAT_CUDA_LIBS"), "libnvrtc.so.13");
        org.junit.jupiter.api.Assumptions.assumeTrue(real != null, "no libnvrtc.so.13 in DEEPANAT_CUDA_LIBS: not checked");
        Path d = Files.createDirectories(tmp.resolve("r"));
        Files.createSymbolicLink(d.resolve("libcudnn.so.9"), real);
        Path broken = Files.writeString(d.resolve("libcudnn_engines_tensor_ir.so.9"), "not an ELF file");
        CudaLibraries.Library l = CudaLibraries.cudnn(search(Map.of("DEEPANAT_CUDA_LIBS", d.toString())));
        assertEquals(1, l.companionErrors().size(), l.companionErrors().toString());
        assertTrue(l.companionErrors().get(0).startsWith(broken.toString()), l.companionErrors().toString());
    }

    private static Path pathOf(String pathList, String name) {
        if (pathList == null) return null;
        for (String dir : pathList.split(":"))
            if (!dir.isBlank() && Files.isRegularFile(Path.of(dir, name))) return Path.of(dir, name);
        return null;
    }
}
