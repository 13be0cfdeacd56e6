package dev.deepanat.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external command (a launcher, a script, a Slurm client) with a time limit and its output captured. */
public final class Proc {
    private Proc() {}

    /** What a finished command left: exit code, stdout, stderr. */
    public record Result(int rc, String out, String err) {
        public String both() { return "rc=" + rc + "\n--- stdout\n" + out + "\n--- stderr\n" + err; }
    }

    /**
     * Runs {@code cmd} in {@code dir}; {@code env} == null inherits this JVM's environment, otherwise the command gets
     * exactly {@code env} (like {@code env -i K=V ...}). Fails the calling test when it runs past {@code limit}.
     */
    public static Result run(List<String> cmd, Map<String, String> env, Path dir, Duration limit) {
        Path o = null, e = null;
        try {
            o = Files.createTempFile("proc", ".out");
            e = Files.createTempFile("proc", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(o.toFile()).redirectError(e.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (dir != null) pb.directory(dir.toFile());
            if (env != null) { pb.environment().clear(); pb.environment().putAll(env); }
            Process p = pb.start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + ": still running after " + limit + "\n--- stdout\n"
                        + Files.readString(o, StandardCharsets.UTF_8) + "\n--- stderr\n" + Files.readString(e, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(o, StandardCharsets.UTF_8), Files.readString(e, StandardCharsets.UTF_8));
        } catch (IOException ex) {
            throw new UncheckedIOException(String.join(" ", cmd) + ": " + ex.getMessage(), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + String.join(" ", cmd), ex);
        } finally {
            try { if (o != null) Files.deleteIfExists(o); if (e != null) Files.deleteIfExists(e); } catch (IOException ignored) { /* temp files */ }
        }
    }

    /** Like {@link #run} but the command must succeed; returns its stdout. */
    public static String ok(List<String> cmd, Map<String, String> env, Path dir, Duration limit) {
        Result r = run(cmd, env, dir, limit);
        if (r.rc() != 0) throw new AssertionError(String.join(" ", cmd) + " failed\n" + r.both());
        return r.out();
    }

    /** True when {@code name} is an executable on this machine's PATH (or in /usr/sbin, where Debian puts daemons). */
    public static boolean onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin";
        for (String d : path.split(":")) if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) return true;
        return false;
    }
}
