package dev.deepanat.bids;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.deepanat.common.AtomicFiles;
import dev.deepanat.common.UserError;
import dev.deepanat.data.InputChannels;
import dev.deepanat.data.SubjectLayout;
import dev.deepanat.diffusion.FitMethod;
import dev.deepanat.diffusion.PreparePipeline;
import dev.deepanat.diffusion.PrepareRequest;
import dev.deepanat.diffusion.PrepareSummary;
import dev.deepanat.diffusion.ShellChoice;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.infer.Predictor;
import dev.deepanat.infer.Synthesis;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiImage;
import dev.deepanat.train.Checkpoints;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The BIDS App's participant level: for every DWI run of the selected participants (labels, sessions, shard),
 * {@code prepare} (mask computed or taken from {@code --mask-dir}) and {@code predict} with one model loaded once,
 * written as a BIDS derivative dataset ({@link Derivatives}). A run's intermediate files live in a private work
 * folder; every output is written to a temporary file and renamed, and a run counts as done only when all its
 * outputs exist, so a killed task leaves nothing half-written and a rerun with {@code --skip-existing} finishes the
 * job. A participant that fails is one line; the others still run.
 */
public final class BidsParticipant {
    /** Where the one-line messages go: progress to {@code info}, problems (one per failed participant) to {@code problem}. */
    public interface Reporter {
        void info(String line);

        void problem(String line);
    }

    /** What happened: runs done, skipped (complete already), problems; the process's fixed costs, in seconds. */
    public record Summary(int done, int skipped, int failed, int problems, double jvmStartSeconds, double modelLoadSeconds,
                          double prepareSeconds, double forwardSeconds, double totalSeconds) {
        public boolean ok() { return problems == 0; }
    }

    private BidsParticipant() {}

    public static Summary run(ParticipantRequest r, Backend be, Predictor.Listener progress, Reporter rep) {
        long t0 = System.nanoTime();
        double jvmStart = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3; // JVM start up to this point
        if (r.model() == null) throw new UserError("participant: --model CKPT is required");
        BidsDataset raw = BidsDataset.open(r.bidsDir());
        Path out = r.outDir().toAbsolutePath().normalize();
        if (out.startsWith(raw.root())) {
            if (!out.startsWith(raw.root().resolve("derivatives")))
                throw new UserError(r.outDir() + ": inside the raw dataset; write derivatives outside it or under its derivatives/");
        }
        int problems = 0;
        if (raw.descriptionProblem() != null) { rep.problem(raw.descriptionProblem()); problems++; }
        List<String> subjects = new ArrayList<>();
        if (r.labels().isEmpty()) subjects.addAll(raw.subjects());
        else for (String l : r.labels().stream().map(s -> s.startsWith("sub-") ? s.substring(4) : s).distinct().sorted().toList()) {
            if (raw.subjects().contains(l)) subjects.add(l);
            else { rep.problem(raw.root().resolve("sub-" + l) + ": no such participant in the dataset"); problems++; }
        }
        List<String> mine = r.shard().of(subjects);
        if (mine.isEmpty()) {
            rep.info("participant: shard " + r.shard().index() + "/" + r.shard().count() + " has no participant (of " + subjects.size() + ")");
            return new Summary(0, 0, 0, problems, jvmStart, 0, 0, 0, (System.nanoTime() - t0) / 1e9);
        }
        // Complete runs are skipped before the model is read: a finished shard rerun costs seconds.
        List<List<DwiRun>> todo = new ArrayList<>();
        int skipped = 0, failed = 0;
        List<String> todoSubjects = new ArrayList<>();
        for (String sj : mine) {
            try {
                List<DwiRun> runs = raw.runs(sj, r.sessions().stream().map(x -> x.startsWith("ses-") ? x.substring(4) : x).toList());
                List<DwiRun> left = new ArrayList<>();
                java.util.Map<String, DwiRun> t1Names = new java.util.HashMap<>();
                for (DwiRun run : runs) {
                    DwiRun first = t1Names.putIfAbsent(Derivatives.relPath(run, Derivatives.Output.T1W, ".nii.gz"), run);
                    if (first != null) { // dir- is dropped for the T1w: runs differing only in dir- would overwrite each other
                        rep.problem("sub-" + sj + ": " + run + " differs from " + first + " only in dir-, and their T1w would share one "
                                + "name; only the first is run (merge the phase-encoding directions, e.g. with topup/eddy, first)");
                        problems++;
                        continue;
                    }
                    if (r.skipExisting() && Derivatives.complete(out, run)) skipped++;
                    else left.add(run);
                }
                if (!left.isEmpty()) { todo.add(left); todoSubjects.add(sj); }
            } catch (UserError e) {
                rep.problem("sub-" + sj + ": " + e.getMessage());
                problems++;
                failed++;
            }
        }
        Derivatives.initDataset(out, raw);
        if (todo.isEmpty()) {
            rep.info("participant: nothing to do (" + skipped + " run(s) complete already)");
            return new Summary(0, skipped, failed, problems, jvmStart, 0, 0, 0, (System.nanoTime() - t0) / 1e9);
        }
        long tl = System.nanoTime();
        Checkpoints.TrainedModel model = Checkpoints.load(r.model(), be);
        String checksum = sha256(r.model());
        double loadSeconds = (System.nanoTime() - tl) / 1e9;
        ModelInfo info = new ModelInfo(r.model().getFileName().toString(), checksum, model.card().version(), model.card().epoch());
        int done = 0;
        double prep = 0, fwd = 0;
        for (int s = 0; s < todo.size(); s++) {
            for (DwiRun run : todo.get(s)) {
                try {
                    Timing t = one(run, r, out, model, info, be, progress);
                    done++;
                    prep += t.prepare;
                    fwd += t.forward;
                    rep.info(String.format(Locale.ROOT, "participant %s: done in %.1f s (prepare %.1f s, forward pass %.1f s, other %.1f s)",
                            run, t.total, t.prepare, t.forward, t.total - t.prepare - t.forward));
                } catch (UserError e) {
                    rep.problem("sub-" + todoSubjects.get(s) + ": " + e.getMessage());
                    problems++;
                    failed++;
                    break; // the participant's other runs would likely fail alike; one line per participant
                } catch (RuntimeException e) { // a bug, not the data: still one line, and the others still run
                    rep.problem("sub-" + todoSubjects.get(s) + ": " + run + ": internal error " + e
                            + " (rerun this participant with DEEPANAT_JAVA_OPTS=-Ddeepanat.debug=true to see where)");
                    if (Boolean.getBoolean("deepanat.debug")) e.printStackTrace();
                    problems++;
                    failed++;
                    break;
                }
            }
        }
        return new Summary(done, skipped, failed, problems, jvmStart, loadSeconds, prep, fwd, (System.nanoTime() - t0) / 1e9);
    }

    record ModelInfo(String file, String sha256, String version, int epoch) {}

    private record Timing(double total, double prepare, double forward) {}

    private static Timing one(DwiRun run, ParticipantRequest r, Path out, Checkpoints.TrainedModel model, ModelInfo info,
                              Backend be, Predictor.Listener progress) {
        long t0 = System.nanoTime();
        String id = run.name().prefix();
        Path workRoot = r.workDir() != null ? r.workDir().toAbsolutePath() : out.resolve(".deepanat-work");
        removeStaleWork(workRoot, id);
        Path work = workRoot.resolve(id + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        List<String> warnings = new ArrayList<>();
        List<Path> written = new ArrayList<>();
        boolean ok = false;
        try {
            Path mask = r.maskDir() != null ? maskFor(run, r.maskDir()) : null;
            Path sjDir = work.resolve(id);
            PrepareSummary ps = PreparePipeline.run(new PrepareRequest(run.dwi(), run.bval(), run.bvec(), mask, id, sjDir,
                    ShellChoice.parse("1000"), 50, FitMethod.WLS, r.threads(), null));
            if (ps.maskVoxels() < 1000) warnings.add("small brain mask (" + ps.maskVoxels() + " voxels)");
            long[] fwd = new long[2];
            Predictor.Listener timed = new Predictor.Listener() {
                @Override public void start(int blocks) { fwd[0] = System.nanoTime(); progress.start(blocks); }
                @Override public void block(int d) { fwd[1] = System.nanoTime(); progress.block(d); }
            };
            Synthesis.Result sr = Synthesis.run(new Synthesis.Request(r.model(), sjDir, sjDir.resolve(id + "_t1w_synth.nii.gz"),
                    r.tiling(), 5, 3, null), model, be, timed);
            double forward = (fwd[1] - fwd[0]) / 1e9;
            SubjectLayout files = new SubjectLayout(sjDir, id);
            // the 4D inputs image, made in the work folder, then copied like the others
            Path inputs = work.resolve(id + "_inputs.nii.gz");
            NiftiImage first = Nifti.read(files.channel(0));
            int[] d = first.dims();
            int nvox = d[0] * d[1] * d[2];
            float[] all = new float[nvox * InputChannels.COUNT];
            for (int c = 0; c < InputChannels.COUNT; c++)
                System.arraycopy(c == 0 ? first.data() : Nifti.read(files.channel(c)).data(), 0, all, c * nvox, nvox);
            Nifti.write(inputs, NiftiImage.of(first.header(), new int[] {d[0], d[1], d[2], InputChannels.COUNT}, all));
            all = null;

            String dwiLink = "bids:raw:" + run.rel(run.dwi());
            List<String> dwiSources = List.of(dwiLink, "bids:raw:" + run.rel(run.bval()), "bids:raw:" + run.rel(run.bvec()));
            String maskRel = Derivatives.relPath(run, Derivatives.Output.MASK, ".nii.gz");
            String inputsRel = Derivatives.relPath(run, Derivatives.Output.INPUTS, ".nii.gz");
            double prepare = ps.seconds();
            double total = (System.nanoTime() - t0) / 1e9; // before the copies: they are part of "other" below
            // Outputs, each atomically; the synthesized T1w last, so its sidecar's timings count every copy before it.
            copy(written, files.mask(), out, maskRel);
            sidecar(written, out, run, Derivatives.Output.MASK, mask != null ? List.of(dwiLink, mask.toUri().toString()) : List.of(dwiLink),
                    dwiLink, info, extras(mask != null ? "given (--mask-dir)" : "computed (median-Otsu on the mean b=0)", null, warnings));
            copy(written, sjDir.resolve(id + "_diff_dtiFA.nii.gz"), out, Derivatives.relPath(run, Derivatives.Output.FA, ".nii.gz"));
            sidecar(written, out, run, Derivatives.Output.FA, withMask(dwiSources, maskRel), dwiLink, info, extras(null, null, warnings));
            copy(written, sjDir.resolve(id + "_diff_dtiMD.nii.gz"), out, Derivatives.relPath(run, Derivatives.Output.ADC, ".nii.gz"));
            sidecar(written, out, run, Derivatives.Output.ADC, withMask(dwiSources, maskRel), dwiLink, info, extras(null, null, warnings));
            copy(written, inputs, out, inputsRel);
            JsonObject inputsExtra = extras(null, null, warnings);
            JsonArray names = new JsonArray();
            InputChannels.SUFFIXES.forEach(names::add);
            inputsExtra.add("Volumes", names);
            sidecar(written, out, run, Derivatives.Output.INPUTS, withMask(dwiSources, maskRel), dwiLink, info, inputsExtra);
            copy(written, sr.normalized(), out, Derivatives.relPath(run, Derivatives.Output.T1W_NORM, ".nii.gz"));
            List<String> t1Sources = List.of("bids::" + inputsRel, "bids::" + maskRel);
            sidecar(written, out, run, Derivatives.Output.T1W_NORM, t1Sources, dwiLink, info, extras(null, null, warnings));
            copy(written, sr.t1w(), out, Derivatives.relPath(run, Derivatives.Output.T1W, ".nii.gz"));
            double all2 = (System.nanoTime() - t0) / 1e9;
            JsonObject timing = new JsonObject();
            timing.addProperty("PrepareSeconds", round(prepare));
            timing.addProperty("ForwardSeconds", round(forward));
            timing.addProperty("RunSeconds", round(all2));
            timing.addProperty("OtherSeconds", round(all2 - prepare - forward));
            JsonObject t1Extra = extras(null, timing, warnings);
            t1Extra.addProperty("Tiling", sr.tiling().label());
            t1Extra.addProperty("NormalizationStatistics", sr.statsSource());
            sidecar(written, out, run, Derivatives.Output.T1W, t1Sources, dwiLink, info, t1Extra);
            ok = true;
            return new Timing(all2, prepare, forward);
        } finally {
            if (!ok) for (Path f : written) { // a run that fails half-way leaves none of what it wrote
                try { Files.deleteIfExists(f); } catch (IOException ignored) { /* best effort */ }
            }
            deleteTree(work);
        }
    }

    private static List<String> withMask(List<String> sources, String maskRel) {
        List<String> l = new ArrayList<>(sources);
        l.add("bids::" + maskRel);
        return l;
    }

    private static JsonObject extras(String maskSource, JsonObject timing, List<String> warnings) {
        JsonObject o = new JsonObject();
        if (maskSource != null) o.addProperty("MaskSource", maskSource);
        if (timing != null) o.add("DeepAnatTiming", timing);
        JsonArray w = new JsonArray();
        warnings.forEach(w::add);
        o.add("DeepAnatWarnings", w);
        return o;
    }

    private static double round(double s) { return Math.round(s * 1000) / 1000.0; }

    private static void sidecar(List<Path> written, Path out, DwiRun run, Derivatives.Output o, List<String> sources, String spatialRef,
                                ModelInfo info, JsonObject extra) {
        JsonObject j = new JsonObject();
        j.addProperty("Description", o.meaning);
        j.addProperty("SkullStripped", o != Derivatives.Output.MASK);
        if (o == Derivatives.Output.MASK) j.addProperty("Type", "Brain");
        JsonArray src = new JsonArray();
        sources.forEach(src::add);
        j.add("Sources", src);
        j.addProperty("SpatialReference", spatialRef);
        JsonObject m = new JsonObject();
        m.addProperty("File", info.file());
        m.addProperty("SHA256", info.sha256());
        m.addProperty("Version", info.version());
        m.addProperty("Epoch", info.epoch());
        j.add("DeepAnatModel", m);
        extra.entrySet().forEach(e -> j.add(e.getKey(), e.getValue()));
        Path target = out.resolve(Derivatives.relPath(run, o, ".json"));
        written.add(target);
        AtomicFiles.writeString(target,
                new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(j) + "\n");
    }

    private static void copy(List<Path> written, Path from, Path out, String rel) {
        written.add(out.resolve(rel));
        AtomicFiles.write(out.resolve(rel), os -> Files.copy(from, os));
    }

    /** The run's mask in a masks derivative: {@code <mask-dir>/sub-X[/ses-Y]/dwi/<prefix>_*mask.nii.gz}, desc-brain preferred. */
    static Path maskFor(DwiRun run, Path maskDir) {
        Path dir = maskDir.resolve(run.folder()).resolve("dwi");
        String prefix = run.name().prefix() + "_";
        List<Path> hits = List.of();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                hits = s.filter(p -> {
                    String n = p.getFileName().toString();
                    return n.startsWith(prefix) && n.matches(".*_mask\\.nii(\\.gz)?");
                }).sorted(Comparator.comparing((Path p) -> !p.getFileName().toString().contains("_desc-brain_")).thenComparing(p -> p)).toList();
            } catch (IOException e) {
                throw new UserError(dir + ": cannot list (" + e.getMessage() + ")", e);
            }
        }
        if (hits.isEmpty()) throw new UserError(dir.resolve(prefix + "*mask.nii.gz") + ": no mask in --mask-dir for " + run);
        return hits.get(0);
    }

    static String sha256(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UserError(f + ": cannot read (" + e.getMessage() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Removes what a killed run of this same DWI run left in the work root (its folder is {@code id.<random>}): shards
     * split the cohort by participant, so no other process works on this run now, and without this a cancelled array
     * task's intermediates would stay behind after the rerun finished the cohort.
     */
    private static void removeStaleWork(Path workRoot, String id) {
        if (!Files.isDirectory(workRoot)) return;
        try (Stream<Path> s = Files.list(workRoot)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(id + ".")).toList()) deleteTree(p);
        } catch (IOException ignored) {
            // best effort, as deleteTree
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> { try { Files.deleteIfExists(p); } catch (IOException ignored) { } });
        } catch (IOException ignored) {
            // best effort: a hidden work folder
        }
        if (!dir.getParent().getFileName().toString().equals(".deepanat-work")) return; // a --work-dir is the user's
        try { // the default work root when empty (other shards may still use it)
            Files.deleteIfExists(dir.getParent());
        } catch (IOException ignored) {
            // not empty
        }
    }
}
