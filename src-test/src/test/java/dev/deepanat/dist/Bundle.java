package dev.deepanat.dist;

import dev.deepanat.testing.Proc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * The distribution tarball (scripts/dist.sh) for the tests that run it: the one in dist/ when it is newer than every
 * source and script (CI makes it before the tests), else made now; unpacked once per test JVM into a temporary folder.
 */
final class Bundle {
    private Bundle() {}

    static final Path REPO = Path.of(System.getProperty("deepanat.repo", "..")).toAbsolutePath().normalize();
    private static Path tarball, home;

    /** The tarball, made by scripts/dist.sh when missing or older than the sources. */
    static synchronized Path tarball() {
        if (tarball != null) return tarball;
        Path dist = REPO.resolve("dist");
        Path found = newestTarball(dist);
        if (found == null || stale(found)) {
            String out = Proc.ok(List.of("bash", REPO.resolve("scripts/dist.sh").toString()), null, REPO, Duration.ofMinutes(8));
            String[] lines = out.strip().split("\n");
            found = Path.of(lines[lines.length - 1].strip());
        }
        if (!Files.isRegularFile(found)) throw new AssertionError("scripts/dist.sh made no tarball: " + found);
        return tarball = found;
    }

    /** The unpacked deepanat-&lt;version&gt; folder (bin/deepanat, lib/, runtime/). */
    static synchronized Path home() {
        if (home != null) return home;
        try {
            Path dir = Files.createTempDirectory("deepanat-dist");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try { new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor(); } catch (Exception ignored) { /* best effort */ }
            }));
            Proc.ok(List.of("tar", "-xzf", tarball().toString(), "-C", dir.toString()), null, null, Duration.ofMinutes(2));
            try (Stream<Path> s = Files.list(dir)) {
                List<Path> tops = s.toList();
                if (tops.size() != 1 || !tops.get(0).getFileName().toString().startsWith("deepanat-"))
                    throw new AssertionError("the tarball should hold one deepanat-<version> folder, not " + tops);
                return home = tops.get(0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path newestTarball(Path dist) {
        if (!Files.isDirectory(dist)) return null;
        try (Stream<Path> s = Files.list(dist)) {
            return s.filter(p -> p.getFileName().toString().matches("deepanat-.*-linux-x64\\.tar\\.gz"))
                    .max((a, b) -> mtime(a).compareTo(mtime(b))).orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean stale(Path tarball) {
        FileTime made = mtime(tarball);
        for (String d : new String[] {"engine/src/main", "kernels/src/main", "deepanat/src/main", "scripts", "pom.xml",
                "engine/pom.xml", "kernels/pom.xml", "deepanat/pom.xml"}) {
            Path p = REPO.resolve(d);
            if (!Files.exists(p)) continue;
            try (Stream<Path> s = Files.walk(p)) {
                if (s.filter(Files::isRegularFile).anyMatch(f -> mtime(f).compareTo(made) > 0)) return true;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return false;
    }

    private static FileTime mtime(Path p) {
        try { return Files.getLastModifiedTime(p); } catch (IOException e) { throw new UncheckedIOException(e); }
    }
}
