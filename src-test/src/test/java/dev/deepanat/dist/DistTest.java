package dev.deepanat.dist;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiImage;
import dev.deepanat.testing.Proc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/dist.sh's tarball, run as a machine with no JDK would: a clean environment (no JAVA_HOME) whose PATH holds
 * only bash, dirname, readlink and grep, so that no java can be found but the bundled one.
 */
@Tag("dist")
class DistTest {
    @TempDir static Path tmp;
    static Path home, tools;
    static Map<String, String> noJdk;

    @BeforeAll
    static void unpack() throws IOException {
        home = Bundle.home();
        tools = Files.createDirectories(tmp.resolve("tools"));
        for (String t : new String[] {"bash", "dirname", "readlink", "grep"}) {
            Path real = Path.of("/usr/bin", t);
            if (!Files.isExecutable(real)) real = Path.of("/bin", t);
            Files.createSymbolicLink(tools.resolve(t), real);
        }
        noJdk = Map.of("PATH", tools.toString(), "HOME", tmp.toString(), "LANG", "C");
    }

    /** Symlinks out of the temporary folder, removed before JUnit deletes it (which warns about each one). */
    @AfterAll
    static void unlink() throws IOException {
        for (Path d : new Path[] {tools, tmp.resolve("linkbin")})
            if (Files.isDirectory(d)) try (var s = Files.list(d)) { for (Path p : s.toList()) Files.deleteIfExists(p); }
    }

    static Proc.Result deepanat(String... args) {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/deepanat").toString()));
        cmd.addAll(Arrays.asList(args));
        return Proc.run(cmd, noJdk, tmp, Duration.ofMinutes(4));
    }

    @Test
    void tarballIsUnder60MB() throws IOException {
        long size = Files.size(Bundle.tarball());
        System.out.printf(Locale.ROOT, "dist: %s is %.1f MB%n", Bundle.tarball().getFileName(), size / 1e6);
        assertTrue(size < 60_000_000L, Bundle.tarball() + " is " + size + " bytes, not under 60 MB");
        assertTrue(Bundle.tarball().getFileName().toString().matches("deepanat-[0-9][^/]*-linux-x64\\.tar\\.gz"),
                Bundle.tarball().getFileName().toString());
    }

    @Test
    void theEnvironmentReallyHasNoJava() {
        Proc.Result r = Proc.run(List.of(tools.resolve("bash").toString(), "-c", "command -v java || echo none; echo \"${JAVA_HOME:-unset}\""),
                noJdk, tmp, Duration.ofSeconds(20));
        assertEquals("none\nunset\n", r.out(), r.both());
    }

    @Test
    void runtimeHoldsOnlyTheModulesTheJarNeeds() {
        Proc.Result r = Proc.run(List.of(home.resolve("runtime/bin/java").toString(), "--list-modules"), noJdk, tmp, Duration.ofMinutes(1));
        assertEquals(0, r.rc(), r.both());
        for (String m : new String[] {"java.base", "java.desktop", "jdk.incubator.vector"})
            assertTrue(r.out().contains(m + "@"), m + " missing\n" + r.out());
        for (String m : new String[] {"jdk.compiler", "jdk.jshell", "jdk.jlink", "jdk.jdeps"})
            assertTrue(!r.out().contains(m + "@"), m + " should not be bundled\n" + r.out());
    }

    @Test
    void versionRunsOnTheBundledRuntime() {
        Proc.Result r = deepanat("--version");
        assertEquals(0, r.rc(), r.both());
        assertTrue(r.out().startsWith("deepanat "), r.both());
        assertTrue(r.out().contains("JVM ") && r.out().contains(" 25"), r.both());
        assertEquals("", r.err(), "the incubator notice is filtered and nothing else is said\n" + r.both());
    }

    @Test
    void aSymlinkOnThePathFindsTheBundle() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("linkbin"));
        Files.createSymbolicLink(bin.resolve("deepanat"), home.resolve("bin/deepanat"));
        Map<String, String> env = Map.of("PATH", bin + ":" + tools, "HOME", tmp.toString());
        Proc.Result r = Proc.run(List.of(tools.resolve("bash").toString(), "-c", "deepanat --version"), env, tmp, Duration.ofMinutes(1));
        assertEquals(0, r.rc(), r.both());
        assertTrue(r.out().startsWith("deepanat "), r.both());
    }

    @Test
    void badInputEndsWithOneLineAndExitCode2() {
        Proc.Result r = deepanat("info", tmp.resolve("missing.nii.gz").toString());
        assertEquals(2, r.rc(), r.both());
        assertEquals(1, r.err().strip().lines().count(), r.both());
        assertTrue(r.err().contains("missing.nii.gz"), r.both());
    }

    /** The whole pipeline, smallest settings: phantom, prepare, train, predict, score, PNGs (java.desktop's ImageIO). */
    @Test
    void tinyDemoRunsEndToEnd() throws IOException {
        Path out = tmp.resolve("demo");
        Proc.Result r = deepanat("demo", "--quick", "--size", "32", "--epochs", "1", "--filters", "4", "--levels", "2",
                "--block", "16", "--out", out.toString());
        assertEquals(0, r.rc(), r.both());
        assertTrue(r.out().contains("demo: done"), r.both());
        JsonObject report = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        assertTrue(report.size() > 0, report.toString());
        for (String png : new String[] {"loss.png", "montage.png"}) {
            byte[] head = Arrays.copyOf(Files.readAllBytes(out.resolve(png)), 8);
            assertEquals("\u0089PNG\r\n\u001a\n", new String(head, java.nio.charset.StandardCharsets.ISO_8859_1), png);
        }
        try (var s = Files.list(out)) {
            Path synth = s.filter(p -> p.getFileName().toString().endsWith("_t1w_synth.nii.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no *_t1w_synth.nii.gz in " + out));
            NiftiImage img = Nifti.read(synth);
            int nonzero = 0;
            for (float v : img.data()) { assertTrue(Float.isFinite(v)); if (v != 0f) nonzero++; }
            assertNotEquals(0, nonzero, synth + " is all zeros");
        }
    }
}
