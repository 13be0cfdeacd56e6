package dev.deepanat.dist;

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
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The distribution under a real Slurm: scripts/slurm/local-cluster.sh brings up munged, slurmctld and slurmd on this
 * machine (Debian's slurm-wlm and munge; CI installs them), jobs run the unpacked tarball's bin/deepanat.
 * A plain job array first, then scripts/slurm/deepanat-bids.sbatch over a 3-subject phantom BIDS dataset: the whole
 * array with sbatch --wait, the group QC, and a cohort with one array task cancelled mid-run, finished by
 * resubmitting with --skip-existing.
 */
@Tag("slurm")
class SlurmTest {
    static final Path CLUSTER = Bundle.REPO.resolve("scripts/slurm/local-cluster.sh");
    static final Path TEMPLATE = Bundle.REPO.resolve("scripts/slurm/deepanat-bids.sbatch");
    @TempDir static Path tmp;
    static Path home, deepanat;
    static Map<String, String> env;
    static boolean up;

    @BeforeAll
    static void bringUpTheCluster() {
        assumeTrue(Proc.onPath("slurmctld") && Proc.onPath("slurmd") && Proc.onPath("sbatch") && Proc.onPath("munged"),
                "Slurm or munge is not installed (apt-get install slurm-wlm munge; .ci/run does)");
        assumeTrue("root".equals(System.getProperty("user.name")), "the one-node cluster needs root (slurmd)");
        home = Bundle.home();
        deepanat = home.resolve("bin/deepanat");
        env = new HashMap<>(System.getenv());
        env.remove("JAVA_HOME");
        env.put("PATH", env.getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin");
        Proc.run(List.of("bash", CLUSTER.toString(), "down"), env, tmp, Duration.ofMinutes(1));   // a leftover one
        long t0 = System.nanoTime();
        String out = Proc.ok(List.of("bash", CLUSTER.toString(), "up"), env, tmp, Duration.ofMinutes(2));
        up = true;
        Matcher m = Pattern.compile("export SLURM_CONF=(\\S+)").matcher(out);
        assertTrue(m.find(), out);
        env.put("SLURM_CONF", m.group(1));
        System.out.printf(Locale.ROOT, "slurm: cluster up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    static void bringItDown() {
        if (up) Proc.run(List.of("bash", CLUSTER.toString(), "down"), env, tmp, Duration.ofMinutes(1));
    }

    static String slurm(String... cmd) { return Proc.ok(Arrays.asList(cmd), env, tmp, Duration.ofMinutes(1)); }

    static Proc.Result deepanat(String... args) {
        List<String> cmd = new ArrayList<>(List.of(deepanat.toString()));
        cmd.addAll(Arrays.asList(args));
        return Proc.run(cmd, env, tmp, Duration.ofMinutes(5));
    }

    /** A job's log, with every array task's log listed when it is missing. */
    static String log(Path dir, String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            throw new AssertionError("no log " + name + " in " + dir + ": " + list(dir), e);
        }
    }

    static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) { return s.filter(Files::isRegularFile).sorted().toList(); }
        catch (IOException e) { throw new UncheckedIOException(e); }
    }

    static String allLogs(Path dir) {
        StringBuilder b = new StringBuilder();
        for (Path p : list(dir)) {
            try { b.append("--- ").append(p.getFileName()).append('\n').append(Files.readString(p)); }
            catch (IOException e) { b.append(e); }
        }
        return b.toString();
    }

    /** A plain 3-task array, 2 at a time: the bundle runs in each task, its heap and threads sized to the allocation. */
    @Test
    void aPlainJobArrayRunsTheBundle() throws IOException {
        Path out = tmp.resolve("plain"), logs = out.resolve("logs");
        Files.createDirectories(logs);
        long t0 = System.nanoTime();
        String id = slurm("sbatch", "--wait", "--parsable", "--array=0-2%2", "--mem=512M", "--cpus-per-task=1",
                "--output=" + logs + "/%A_%a.log", "--export=PATH=/usr/bin:/bin,DEEPANAT=" + deepanat + ",OUT=" + out
                        + ",DEEPANAT_JAVA_OPTS=-XX:+PrintCommandLineFlags",
                "--wrap", "set -e; \"$DEEPANAT\" phantom --out \"$OUT/task-$SLURM_ARRAY_TASK_ID\" --subjects 1 --size 24"
                        + " --directions 6 --b0s 1 --seed $((SLURM_ARRAY_TASK_ID + 1))").strip();
        System.out.printf(Locale.ROOT, "slurm: plain 3-task array done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertTrue(id.matches("\\d+"), id);
        for (int i = 0; i < 3; i++) {
            String log = log(logs, id + "_" + i + ".log");
            // 75% of --mem=512M for the heap, --cpus-per-task for the JVM's processor count (scripts/lib/launch.sh)
            assertTrue(log.contains("-XX:MaxHeapSize=402653184") && log.contains("-XX:ActiveProcessorCount=1"), log);
            assertTrue(log.contains("phantom sub-01"), log);
            NiftiImage dwi = Nifti.read(out.resolve("task-" + i + "/sub-01/sub-01_dwi.nii.gz"));
            assertEquals(24, dwi.header().dim()[1]);
        }
    }

    // ---- the BIDS App over a phantom cohort ----

    static Path bids, model;

    /** A 3-subject phantom BIDS dataset and a tiny checkpoint (the demo's smallest U-Net), made once. */
    static synchronized void cohort() {
        if (bids != null) return;
        Proc.Result help = deepanat("--help");
        assumeTrue(help.out().lines().anyMatch(l -> l.matches("\\s+bids\\s.*")), "deepanat bids is not in this build (it comes with branch bids)");
        Path b = tmp.resolve("bids");
        Proc.Result r = deepanat("phantom", "--layout", "bids", "--out", b.toString(), "--subjects", "3", "--size", "40");
        assertEquals(0, r.rc(), r.both());
        Path demo = tmp.resolve("model");
        r = deepanat("demo", "--quick", "--size", "32", "--epochs", "1", "--filters", "4", "--levels", "2", "--block", "16",
                "--out", demo.toString());
        assertEquals(0, r.rc(), r.both());
        model = demo.resolve("run/best.safetensors");
        assertTrue(Files.isRegularFile(model), r.both());
        bids = b;
    }

    static List<String> subjects() {
        try (Stream<Path> s = Files.list(bids)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("sub-")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** sbatch of the template over the cohort; returns sbatch's result (stdout: the job id). */
    static Proc.Result submit(Path out, boolean await, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable", "--array=0-2", "--mem=2G", "--cpus-per-task=1",
                "--time=00:15:00", "--output=" + out.resolveSibling(out.getFileName() + "-logs") + "/%A_%a.log",
                "--export=PATH=/usr/bin:/bin,BIDS_DIR=" + bids + ",OUT_DIR=" + out + ",MODEL=" + model + ",DEEPANAT=" + deepanat));
        if (await) cmd.add("--wait");
        cmd.add(TEMPLATE.toString());
        cmd.addAll(Arrays.asList(extra));
        try { Files.createDirectories(out.resolveSibling(out.getFileName() + "-logs")); } catch (IOException e) { throw new UncheckedIOException(e); }
        return Proc.run(cmd, env, tmp, Duration.ofMinutes(15));
    }

    static final String[] OUTPUTS = {"_desc-synth_T1w", "_desc-synthnorm_T1w", "_desc-brain_mask", "_desc-dti_FA", "_desc-dti_ADC"};

    /** Every subject has every output image, readable to the end, and its JSON sidecar; no temporary file is left. */
    static void assertCohortComplete(Path out) {
        List<Path> files = list(out);
        for (String sub : subjects()) {
            for (String o : OUTPUTS) {
                List<Path> img = files.stream().filter(p -> out.relativize(p).startsWith(sub)
                        && p.getFileName().toString().endsWith(o + ".nii.gz")).toList();
                assertEquals(1, img.size(), sub + " " + o + ": " + img + "\nall: " + files);
                NiftiImage im = Nifti.read(img.get(0));
                for (float v : im.data()) assertTrue(Float.isFinite(v), img.get(0) + " has a non-finite value");
                Path json = img.get(0).resolveSibling(img.get(0).getFileName().toString().replace(".nii.gz", ".json"));
                try { JsonParser.parseString(Files.readString(json)).getAsJsonObject(); }
                catch (IOException | RuntimeException e) { throw new AssertionError(json + ": " + e, e); }
            }
        }
        assertNoTemporaryFiles(out);
    }

    static void assertNoTemporaryFiles(Path out) {
        List<Path> tmps = list(out).stream().filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        assertEquals(List.of(), tmps, "temporary files left in " + out);
    }

    /** Whatever a killed task left under its final names is whole: images decode to the end, sidecars parse. */
    static int assertNothingHalfWritten(Path out) {
        int n = 0;
        for (Path p : list(out)) {
            String f = p.getFileName().toString();
            if (f.startsWith(".") || out.relativize(p).toString().contains("/.")) continue;
            if (f.endsWith(".nii.gz")) { Nifti.read(p); n++; }
            if (f.endsWith(".json")) {
                try { JsonParser.parseString(Files.readString(p)); } catch (IOException | RuntimeException e) { throw new AssertionError(p + ": " + e, e); }
            }
        }
        return n;
    }

    static void assertGroupQc(Path out) throws IOException {
        Proc.Result g = deepanat("bids", bids.toString(), out.toString(), "group");
        assertEquals(0, g.rc(), g.both());
        List<String> rows = Files.readAllLines(out.resolve("group/qc.tsv"));
        assertEquals(1 + subjects().size(), rows.size(), String.join("\n", rows));
        assertTrue(rows.get(0).startsWith("participant_id\t"), rows.get(0));
        for (String sub : subjects()) assertTrue(rows.stream().anyMatch(r -> r.startsWith(sub + "\t")), sub + " not in qc.tsv\n" + rows);
        String html = Files.readString(out.resolve("group/index.html"));
        for (String sub : subjects()) assertTrue(html.contains(sub), sub + " not in index.html");
    }

    @Test
    void theBidsArrayProcessesTheCohortThenTheGroupStep() throws IOException {
        cohort();
        Path out = tmp.resolve("deriv-all");
        long t0 = System.nanoTime();
        Proc.Result r = submit(out, true);
        double s = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, r.rc(), r.both() + "\n" + allLogs(tmp.resolve("deriv-all-logs")));
        System.out.printf(Locale.ROOT, "slurm: 3-task BIDS array (3 subjects, 1 CPU each, 2 CPUs) done in %.1f s%n", s);
        String logs = allLogs(tmp.resolve("deriv-all-logs"));
        for (int i = 1; i <= 3; i++) assertTrue(logs.contains("shard " + i + "/3"), logs);
        logs.lines().filter(l -> l.startsWith("participant: ")).forEach(l -> System.out.println("slurm: " + l));
        assertCohortComplete(out);
        assertGroupQc(out);
    }

    @Test
    void aTaskCancelledMidRunIsFinishedBySkipExisting() throws IOException, InterruptedException {
        cohort();
        Path out = tmp.resolve("deriv-kill"), logs = tmp.resolve("deriv-kill-logs");
        Proc.Result r = submit(out, false);
        assertEquals(0, r.rc(), r.both());
        String id = r.out().strip();
        // wait until task 1 (shard 2/3: the second subject) has started its run, i.e. made its private work folder
        // (OUTPUT_DIR/.deepanat-work/<run>.<random>), then cancel it half a second later: mid-run, in the preparation
        Path log1 = logs.resolve(id + "_1.log"), work = out.resolve(".deepanat-work");
        String second = subjects().get(1);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        boolean started = false;
        while (System.nanoTime() < deadline && !started) {
            if (Files.isDirectory(work)) try (Stream<Path> w = Files.list(work)) {
                started = w.anyMatch(p -> p.getFileName().toString().startsWith(second));
            } catch (IOException ignored) { /* made or removed meanwhile */ }
            if (!started) Thread.sleep(100);
        }
        assertTrue(started, "task 1 never started on " + second + "\n" + allLogs(logs));
        Thread.sleep(500);
        String before = Files.exists(log1) ? Files.readString(log1) : "";
        slurm("scancel", id + "_1");
        // the rest of the array finishes
        while (System.nanoTime() < deadline && !Proc.run(List.of("squeue", "-h", "-j", id), env, tmp, Duration.ofSeconds(30)).out().isBlank())
            Thread.sleep(500);
        assertTrue(Proc.run(List.of("squeue", "-h", "-j", id), env, tmp, Duration.ofSeconds(30)).out().isBlank(), "the array still runs");
        String killed = Files.readString(log1);
        assertTrue(killed.contains("CANCELLED"), "task 1 was not cancelled:\n" + killed);
        assertTrue(!killed.contains("participant: 1 run(s) done"), "task 1 finished before it was cancelled:\n" + before + "\n---\n" + killed);
        int whole = assertNothingHalfWritten(out);
        System.out.printf(Locale.ROOT, "slurm: task %s_1 cancelled after its log said:%n%s%s outputs left whole%n", id, before, whole);

        long t0 = System.nanoTime();
        Proc.Result again = submit(out, true, "--skip-existing");
        double s = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, again.rc(), again.both() + "\n" + allLogs(logs));
        String id2 = again.out().strip();
        System.out.printf(Locale.ROOT, "slurm: resubmission with --skip-existing done in %.1f s%n", s);
        // tasks 0 and 2 find their subjects complete; task 1 redoes its one
        assertTrue(log(logs, id2 + "_0.log").contains("0 run(s) done, 1 skipped"), log(logs, id2 + "_0.log"));
        assertTrue(log(logs, id2 + "_2.log").contains("0 run(s) done, 1 skipped"), log(logs, id2 + "_2.log"));
        assertTrue(log(logs, id2 + "_1.log").contains("1 run(s) done, 0 skipped"), log(logs, id2 + "_1.log"));
        assertCohortComplete(out);
        assertGroupQc(out);
        List<Path> stale = list(work);
        // the rerun of the cancelled subject removed what the cancelled task had left in its work folder
        assertTrue(stale.isEmpty(), "the cancelled task's work files are still there: " + stale);
    }
}
