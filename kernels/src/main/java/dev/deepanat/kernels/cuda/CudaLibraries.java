package dev.deepanat.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
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

    /**
     * One opened library: what it is, the file, its symbols, the companions opened before it, and those that could not
     * be opened (one line each: the library may not need them; its own loading or first call says when it does).
     */
    record Library(String what, Path file, SymbolLookup symbols, List<Path> companions, List<String> companionErrors) {}

    static Library driver(LibrarySearch search) {
        return open(search, "CUDA driver", "libcuda", 1, List.of());
    }

    static Library nvrtc(LibrarySearch search) {
        return open(search, "NVRTC", "libnvrtc", 0, List.of("libnvrtc-builtins"));
    }

    static Library cublas(LibrarySearch search) {
        return open(search, "cuBLAS", "libcublas", 0, List.of("libcublasLt"));
    }

    /**
     * cuDNN with its sub-libraries, graph first, then the engines, ops, cnn and adv, then any other {@code libcudnn_*}
     * of the same major beside it (releases add some: {@code libcudnn_engines_tensor_ir} in 9.1x).
     */
    static Library cudnn(LibrarySearch search) {
        return open(search, "cuDNN", "libcudnn", 0, List.of("libcudnn_graph", "libcudnn_engines_precompiled",
                "libcudnn_engines_runtime_compiled", "libcudnn_heuristic", "libcudnn_ops", "libcudnn_cnn", "libcudnn_adv", "libcudnn_*"));
    }

    /** The not-found line of a library: what, and the folders searched. */
    static String notFound(String what, LibrarySearch search) {
        return what + " not found; searched: " + search.folders().stream().map(Path::toString).collect(Collectors.joining(", "))
                + " (set DEEPANAT_CUDA_LIBS to the folders holding it)";
    }

    /**
     * Opens the companions (a base name, or {@code prefix*} for every other base of that prefix), then the library. A
     * companion that cannot be opened is tried again after the others (one may need another that came later) and is
     * otherwise noted, not fatal: cuDNN opens its engines on demand and runs without those it cannot load.
     */
    private static Library open(LibrarySearch search, String what, String base, int onlyMajor, List<String> companions) {
        LibrarySearch.Found f = search.find(base, onlyMajor).orElseThrow(() -> new CudaException(notFound(what, search)));
        Path dir = f.file().getParent();
        // The companions of the same release, beside the main library (nvrtc-builtins is versioned major.minor).
        List<Path> files = new ArrayList<>();
        for (String c : companions)
            for (Path p : companionFiles(dir, c, f.major())) if (!files.contains(p)) files.add(p);
        List<Path> opened = new ArrayList<>();
        Map<Path, String> failed = new LinkedHashMap<>();
        for (int pass = 0; pass < 2; pass++)
            for (Path p : pass == 0 ? files : List.copyOf(failed.keySet())) {
                try {
                    SymbolLookup.libraryLookup(p, Arena.global());
                    opened.add(p);
                    failed.remove(p);
                } catch (IllegalArgumentException e) {
                    failed.put(p, p + ": " + e.getMessage());
                }
            }
        try {
            return new Library(what, f.file(), SymbolLookup.libraryLookup(f.file(), Arena.global()), List.copyOf(opened),
                    List.copyOf(failed.values()));
        } catch (IllegalArgumentException e) {
            throw new CudaException(what + ": cannot load " + f.file() + ": " + e.getMessage()
                    + (failed.isEmpty() ? "" : " (companions not loaded: " + String.join("; ", failed.values()) + ")"));
        }
    }

    /** The file of companion {@code base} of a major (the first name in order), or of every base matching {@code prefix*}. */
    static List<Path> companionFiles(Path dir, String base, int major) {
        List<Path> out = new ArrayList<>();
        boolean any = base.endsWith("*");
        String prefix = any ? base.substring(0, base.length() - 1) : base;
        Pattern name = Pattern.compile(Pattern.quote(prefix) + (any ? "[A-Za-z0-9_]+" : "") + "\\.so\\." + major + "(\\.\\d+)*");
        try (Stream<Path> s = Files.list(dir)) {
            Map<String, Path> firstOfBase = new TreeMap<>();
            s.map(Path::getFileName).map(Path::toString).filter(n -> name.matcher(n).matches()).sorted()
                    .forEach(n -> firstOfBase.putIfAbsent(n.substring(0, n.indexOf(".so.")), dir.resolve(n)));
            out.addAll(firstOfBase.values());
        } catch (java.io.IOException e) {
            // no companions readable: the main library's own loading will say what is missing
        }
        return out;
    }
}
