package dev.deepanat.kernels.cuda;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the CUDA libraries are looked for, in this order: the folders of {@code DEEPANAT_CUDA_LIBS} (a path list),
 * those of {@code LD_LIBRARY_PATH}, {@code /usr/local/cuda/lib64}, the system library folders, and the
 * {@code nvidia/*}{@code /lib} folders of every Python site-packages found under the usual prefixes (system Pythons,
 * {@code ~/.local}, conda, {@code /opt/*}{@code /.venv}, pyenv, {@code $VIRTUAL_ENV}, {@code $CONDA_PREFIX}), which is
 * where the pip wheels put them on the GPU machines ({@code nvidia/cu13/lib}, {@code nvidia/cudnn/lib}).
 *
 * <p>Only versioned names count ({@code libcudnn.so.9}, {@code libcublas.so.13.1.0.3}): a bare {@code libX.so} can be a
 * link-time stub. Among the candidates the highest SONAME major wins, except that a library found in
 * {@code DEEPANAT_CUDA_LIBS} always wins (the user said so); on a tie the earlier folder wins. Pure Java over a
 * file system, so that tests can run it over fake folders.
 */
final class LibrarySearch {
    /** One library file found: its folder, file name and SONAME major. */
    record Found(Path file, int major) {}

    private final List<Path> preferred;
    private final List<Path> folders;

    LibrarySearch(List<Path> preferred, List<Path> others) {
        this.preferred = List.copyOf(preferred);
        LinkedHashSet<Path> rest = new LinkedHashSet<>(others);
        rest.removeAll(preferred);
        this.folders = List.copyOf(rest);
    }

    /** The search of this process: its environment, home folder and the usual prefixes. */
    static LibrarySearch fromEnvironment() {
        return from(System.getenv(), Path.of(System.getProperty("user.home", "/root")), Path.of("/"));
    }

    /** The search for an environment, a home folder and a file-system root (a temp folder in tests). */
    static LibrarySearch from(Map<String, String> env, Path home, Path root) {
        List<Path> preferred = pathList(env.get("DEEPANAT_CUDA_LIBS"));
        List<Path> others = new ArrayList<>(pathList(env.get("LD_LIBRARY_PATH")));
        for (String s : List.of("usr/local/cuda/lib64", "usr/local/cuda/targets/x86_64-linux/lib", "usr/lib/x86_64-linux-gnu",
                "lib/x86_64-linux-gnu", "usr/lib64", "lib64", "usr/lib/wsl/lib", "usr/lib", "lib"))
            others.add(root.resolve(s));
        List<String> sitePackages = new ArrayList<>();
        for (String py : List.of("usr/lib/python3*/site-packages", "usr/lib/python3*/dist-packages",
                "usr/local/lib/python3*/site-packages", "usr/local/lib/python3*/dist-packages",
                "opt/conda/lib/python3*/site-packages", "opt/conda/envs/*/lib/python3*/site-packages",
                "opt/*/.venv/lib/python3*/site-packages", "opt/*/venv/lib/python3*/site-packages",
                "opt/*/lib/python3*/site-packages"))
            sitePackages.add(root.resolve(py).toString());
        for (String py : List.of(".local/lib/python3*/site-packages", ".venv/lib/python3*/site-packages",
                ".pyenv/versions/*/lib/python3*/site-packages", "miniconda3/lib/python3*/site-packages",
                "anaconda3/lib/python3*/site-packages"))
            sitePackages.add(home.resolve(py).toString());
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX"))
            if (env.get(var) != null && !env.get(var).isBlank())
                sitePackages.add(Path.of(env.get(var)).resolve("lib/python3*/site-packages").toString());
        for (String pattern : sitePackages)
            for (Path sp : glob(pattern)) others.addAll(glob(sp.resolve("nvidia/*/lib").toString()));
        return new LibrarySearch(preferred, others);
    }

    static List<Path> pathList(String s) {
        List<Path> out = new ArrayList<>();
        if (s == null) return out;
        for (String p : s.split(":")) if (!p.isBlank()) out.add(Path.of(p));
        return out;
    }

    /** The folders searched, in order (for the "not found; searched: ..." line). */
    List<Path> folders() {
        List<Path> all = new ArrayList<>(preferred);
        all.addAll(folders);
        return all;
    }

    /**
     * The best file of library {@code base} ("libcudnn", "libcuda"), or empty. {@code onlyMajor} &gt; 0 accepts that
     * major only (the driver: libcuda.so.1).
     */
    Optional<Found> find(String base, int onlyMajor) {
        Optional<Found> p = best(preferred, base, onlyMajor);
        return p.isPresent() ? p : best(folders, base, onlyMajor);
    }

    private static Optional<Found> best(List<Path> dirs, String base, int onlyMajor) {
        Pattern name = Pattern.compile(Pattern.quote(base) + "\\.so\\.(\\d+)(\\.\\d+)*");
        Found best = null;
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) continue;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, base + ".so.*")) {
                List<Path> files = new ArrayList<>();
                ds.forEach(files::add);
                files.sort(null);
                for (Path f : files) {
                    Matcher m = name.matcher(f.getFileName().toString());
                    if (!m.matches() || !Files.isRegularFile(f)) continue;
                    int major = Integer.parseInt(m.group(1));
                    if (onlyMajor > 0 && major != onlyMajor) continue;
                    if (best == null || major > best.major()) best = new Found(f, major);
                }
            } catch (IOException e) {
                // an unreadable folder is skipped, as the dynamic loader would
            }
        }
        return Optional.ofNullable(best);
    }

    /** Paths matching a pattern whose '*' stand for one path segment each (absolute patterns only). */
    static List<Path> glob(String pattern) {
        String[] parts = pattern.split("/");
        List<Path> cur = List.of(Path.of("/"));
        for (String part : parts) {
            if (part.isEmpty()) continue;
            List<Path> next = new ArrayList<>();
            for (Path p : cur) {
                if (!part.contains("*")) {
                    Path q = p.resolve(part);
                    if (Files.exists(q)) next.add(q);
                    continue;
                }
                if (!Files.isDirectory(p)) continue;
                try (Stream<Path> s = Files.list(p)) {
                    java.nio.file.PathMatcher pm = p.getFileSystem().getPathMatcher("glob:" + part);
                    s.filter(q -> pm.matches(q.getFileName())).sorted().forEach(next::add);
                } catch (IOException e) {
                    // unreadable: nothing there for us
                }
            }
            cur = next;
        }
        return cur;
    }
}
