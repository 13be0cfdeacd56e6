package dev.deepanat.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds and opens the CUDA libraries (see {@link LibrarySearch} for where): the driver {@code libcuda.so.1}, NVRTC,
 * cuBLAS and cuDNN. cuDNN 9 and cuBLAS {@code dlopen} their companions by bare soname at run time (cuDNN its
 * {@code libcudnn_graph/_ops/_cnn/_engines_*}, cuBLAS {@code libcublasLt}, NVRTC its builtins), which a folder off
 * {@code LD_LIBRARY_PATH} would not satisfy; so every companion found beside the main library is opened first, by
 * absolute path, dependencies before their users (cuDNN's graph library first): the dynamic loader then finds them
 * already loaded by soname. A missing library is one line, "cuDNN not found; searched: ...".
 */
final class CudaLibraries {
    private CudaLibraries() {}

    /** One opened library: what it is, the file, and its symbols. */
    record Library(String what, Path file, SymbolLookup symbols) {}

    static Library driver(LibrarySearch search) {
        return open(search, "CUDA driver", "libcuda", 1, List.of());
    }

    static Library nvrtc(LibrarySearch search) {
        return open(search, "NVRTC", "libnvrtc", 0, List.of("libnvrtc-builtins"));
    }

    static Library cublas(LibrarySearch search) {
        return open(search, "cuBLAS", "libcublas", 0, List.of("libcublasLt"));
    }

    /** cuDNN with its sub-libraries, graph first, then the engines, ops, cnn and the rest. */
    static Library cudnn(LibrarySearch search) {
        return open(search, "cuDNN", "libcudnn", 0, List.of("libcudnn_graph", "libcudnn_engines_precompiled",
                "libcudnn_engines_runtime_compiled", "libcudnn_heuristic", "libcudnn_ops", "libcudnn_cnn", "libcudnn_adv"));
    }

    /** The not-found line of a library: what, and the folders searched. */
    static String notFound(String what, LibrarySearch search) {
        return what + " not found; searched: " + search.folders().stream().map(Path::toString).collect(Collectors.joining(", "))
                + " (set DEEPANAT_CUDA_LIBS to the folders holding it)";
    }

    private static Library open(LibrarySearch search, String what, String base, int onlyMajor, List<String> companions) {
        LibrarySearch.Found f = search.find(base, onlyMajor).orElseThrow(() -> new CudaException(notFound(what, search)));
        Path dir = f.file().getParent();
        // The companions of the same release, beside the main library (nvrtc-builtins is versioned major.minor).
        for (String c : companions) {
            for (Path p : companionFiles(dir, c, f.major())) {
                try {
                    SymbolLookup.libraryLookup(p, Arena.global());
                } catch (IllegalArgumentException e) {
                    throw new CudaException(what + ": cannot load " + p + ": " + e.getMessage());
                }
            }
        }
        try {
            return new Library(what, f.file(), SymbolLookup.libraryLookup(f.file(), Arena.global()));
        } catch (IllegalArgumentException e) {
            throw new CudaException(what + ": cannot load " + f.file() + ": " + e.getMessage());
        }
    }

    private static List<Path> companionFiles(Path dir, String base, int major) {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> {
                String n = p.getFileName().toString();
                return n.equals(base + ".so." + major) || n.startsWith(base + ".so." + major + ".");
            }).sorted().limit(1).forEach(out::add);
        } catch (java.io.IOException e) {
            // no companions readable: the main library's own loading will say what is missing
        }
        return out;
    }
}
