package dev.deepanat.profile;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.deepanat.common.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The measured peaks of one machine, cached per backend in {@code $XDG_CACHE_HOME/deepanat/peaks-<host>-<cpu>.json}
 * ({@code ~/.cache} without XDG_CACHE_HOME), so that they are measured once per machine, not per profile run.
 */
public final class Peaks {
    /** One backend's ceilings: GFLOP/s and GB/s, how they were measured, and when. */
    public record Peak(String backend, double gflops, double gbPerS, int threads, String method, String measuredAt) {
        /** The arithmetic intensity (FLOP/byte) where the two roofs meet. */
        public double ridge() {
            return gflops / gbPerS;
        }
    }

    /** The cache file's contents: peaks by backend name. */
    record CacheFile(String host, String cpu, Map<String, Peak> peaks) {}

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private Peaks() {}

    /** The cache file for this machine under the given environment (XDG_CACHE_HOME, else HOME/.cache). */
    public static Path cacheFile(Map<String, String> env, String host, String cpu) {
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".cache");
        return base.resolve("deepanat").resolve("peaks-" + safe(host) + "-" + safe(cpu) + ".json");
    }

    /** This machine's cache file; the system property {@code deepanat.peaks.file} overrides it (tests, scripts). */
    public static Path cacheFile() {
        String override = System.getProperty("deepanat.peaks.file");
        if (override != null && !override.isBlank()) return Path.of(override);
        return cacheFile(System.getenv(), hostName(), cpuName());
    }

    /**
     * The cached peak of {@code backend} measured with {@code threads} threads, or a new measurement (then stored) when
     * there is none or {@code remeasure}.
     */
    public static Peak get(Path file, String backend, int threads, boolean remeasure, Supplier<double[]> measure) {
        Map<String, Peak> all = new TreeMap<>(read(file));
        Peak p = all.get(backend);
        if (p != null && !remeasure && p.threads() == threads) return p;
        double[] m = measure.get();
        p = new Peak(backend, m[0], m[1], threads, backend.equals("cpu")
                ? "Vector API FMA micro-kernel (6x3, L1) on every thread; triad a=b+s*c over 3 x 64 MiB"
                : "backend gemm 4096^3; backend axpy over 64 Mi floats", Instant.now().toString());
        all.put(backend, p);
        try {
            AtomicFiles.writeString(file, GSON.toJson(new CacheFile(hostName(), cpuName(), all)));
        } catch (RuntimeException e) {
            System.err.println("deepanat profile: could not cache the peaks in " + file + " (" + e.getMessage() + ")");
        }
        return p;
    }

    static Map<String, Peak> read(Path file) {
        if (!Files.isRegularFile(file)) return Map.of();
        try {
            CacheFile c = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), CacheFile.class);
            return c == null || c.peaks() == null ? Map.of() : c.peaks();
        } catch (IOException | JsonParseException e) {
            return Map.of(); // a damaged cache is measured again and overwritten
        }
    }

    static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = Files.readString(Path.of("/etc/hostname")).trim();
            } catch (IOException e) {
                h = "localhost";
            }
        }
        return h;
    }

    static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
        } catch (IOException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    static String safe(String s) {
        String r = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._]+", "-").replaceAll("^-+|-+$", "");
        return r.isEmpty() ? "unknown" : r;
    }
}
