package dev.deepanat.bids;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepanat.data.InputChannels;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.infer.Predictor;
import dev.deepanat.infer.Tiling;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.testing.Cli;
import dev.deepanat.train.Checkpoints;
import dev.deepanat.train.ModelCard;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code deepanat bids} on a 3-subject phantom BIDS dataset: participant, group, shards, reruns, bad datasets. */
class BidsAppTest {
    @TempDir static Path root;
    static Path raw, model;

    @BeforeAll
    static void dataAndModel() {
        raw = root.resolve("raw");
        String[] r = Cli.run("phantom", "--layout", "bids", "--out", raw.toString(), "--subjects", "3", "--size", "24",
                "--directions", "12", "--b0s", "2", "--seed", "5");
        assertEquals("0", r[0], r[2]);
        model = root.resolve("model.safetensors");
        UNetConfig cfg = new UNetConfig(InputChannels.COUNT, 1, 4, 3, false);
        UNet3d net = new UNet3d(cfg, new SplittableRandom(11));
        Checkpoints.save(model, net, new ModelCard(cfg, 8, InputChannels.SUFFIXES, ModelCard.normalizedChannelNames(),
                1000, 200, List.of("sub-x"), "test", 0));
        net.close();
    }

    static String[] run(int exit, String... args) {
        String[] r = Cli.run(args);
        assertEquals(String.valueOf(exit), r[0], "exit code; stdout: " + r[1] + " stderr: " + r[2]);
        return new String[] {r[1], r[2]};
    }

    static final List<String> PREFIXES = List.of("sub-01/", "sub-02/ses-01/", "sub-03/");

    @Test
    void participantThenGroupWriteAValidDerivativeDataset() throws IOException {
        Path out = root.resolve("out-all");
        String msg = run(0, "bids", raw.toString(), out.toString(), "participant", "--model", model.toString())[0];
        assertTrue(msg.contains("3 run(s) done, 0 skipped"), msg);
        assertTrue(msg.contains("outside prepare and the forward pass"), msg);
        List<String> files = filesUnder(out);
        for (String f : files) if (f.startsWith("sub-")) assertNull(Derivatives.checkName(f), f + ": " + Derivatives.checkName(f));
        assertTrue(files.contains("sub-02/anat/sub-02_ses-01_acq-b1000_run-1_space-dwi_desc-synth_T1w.nii.gz") == false);
        for (String f : List.of("sub-01/anat/sub-01_space-dwi_desc-synth_T1w.nii.gz", "sub-01/anat/sub-01_space-dwi_desc-synthnorm_T1w.json",
                "sub-01/dwi/sub-01_space-dwi_desc-brain_mask.nii.gz", "sub-01/dwi/sub-01_space-dwi_desc-dti_FA.nii.gz",
                "sub-01/dwi/sub-01_space-dwi_desc-dti_ADC.json", "sub-01/dwi/sub-01_space-dwi_desc-deepanatinputs_dwimap.nii.gz",
                "sub-02/ses-01/anat/sub-02_ses-01_acq-b1000_run-1_space-dwi_desc-synth_T1w.nii.gz",
                "sub-02/ses-01/dwi/sub-02_ses-01_acq-b1000_dir-AP_run-1_space-dwi_desc-brain_mask.nii.gz",
                "dataset_description.json", "descriptions.tsv", ".bidsignore", "README"))
            assertTrue(files.contains(f), f + " not in " + files);
        assertEquals(3 * 12 + 4, files.size(), "6 images + 6 sidecars per run, 4 dataset files: " + files);
        JsonObject dd = json(out.resolve("dataset_description.json"));
        assertEquals("derivative", dd.get("DatasetType").getAsString());
        assertEquals("DeepAnat-J", dd.getAsJsonArray("GeneratedBy").get(0).getAsJsonObject().get("Name").getAsString());
        assertTrue(dd.getAsJsonArray("GeneratedBy").get(0).getAsJsonObject().has("CodeURL"));
        assertEquals(raw.toAbsolutePath().normalize().toUri().toString(), dd.getAsJsonObject("DatasetLinks").get("raw").getAsString());
        assertTrue(dd.has("SourceDatasets"));
        assertTrue(Files.readString(out.resolve(".bidsignore")).contains("*_dwimap.nii.gz"));
        String desc = Files.readString(out.resolve("descriptions.tsv"));
        for (String d : List.of("synth", "synthnorm", "brain", "dti", "deepanatinputs")) assertTrue(desc.contains("\n" + d + "\t"), desc);
        JsonObject t1 = json(out.resolve("sub-02/ses-01/anat/sub-02_ses-01_acq-b1000_run-1_space-dwi_desc-synth_T1w.json"));
        assertTrue(t1.get("SkullStripped").getAsBoolean());
        assertEquals("bids:raw:sub-02/ses-01/dwi/sub-02_ses-01_acq-b1000_dir-AP_run-1_dwi.nii.gz", t1.get("SpatialReference").getAsString());
        assertEquals(BidsParticipant.sha256(model), t1.getAsJsonObject("DeepAnatModel").get("SHA256").getAsString());
        assertTrue(t1.getAsJsonObject("DeepAnatTiming").get("ForwardSeconds").getAsDouble() > 0);
        JsonObject fa = json(out.resolve("sub-03/dwi/sub-03_space-dwi_desc-dti_FA.json"));
        assertTrue(fa.getAsJsonArray("Sources").get(0).getAsString().startsWith("bids:raw:sub-03/dwi/sub-03_dwi.nii.gz"));
        assertFalse(json(out.resolve("sub-03/dwi/sub-03_space-dwi_desc-brain_mask.json")).get("SkullStripped").getAsBoolean());
        int[] dims = Nifti.read(out.resolve("sub-01/dwi/sub-01_space-dwi_desc-deepanatinputs_dwimap.nii.gz")).dims();
        assertEquals(List.of(24, 24, 24, 11), List.of(dims[0], dims[1], dims[2], dims[3]));
        assertFalse(Files.exists(out.resolve(".deepanat-work")), "work folder left behind");

        String g = run(0, "bids", raw.toString(), out.toString(), "group")[0];
        assertTrue(g.contains("group: 3 run(s)"), g);
        List<String> qc = Files.readAllLines(out.resolve("group/qc.tsv"));
        assertEquals(4, qc.size(), String.join("\n", qc));
        assertEquals(BidsGroup.COLUMNS, List.of(qc.get(0).split("\t")));
        String[] sub1 = qc.get(1).split("\t"), sub3 = qc.get(3).split("\t");
        assertEquals("sub-01", sub1[0]);
        double ssim = Double.parseDouble(sub1[10]);
        assertTrue(ssim > -1 && ssim < 1, qc.get(1)); // sub-01 has a T1w in the raw dataset
        assertEquals("n/a", sub3[10]);
        assertTrue(Double.parseDouble(sub3[5]) > 0.05 && Double.parseDouble(sub3[5]) < 1, "mean FA " + sub3[5]);
        assertTrue(Double.parseDouble(sub3[6]) > 1e-4 && Double.parseDouble(sub3[6]) < 5e-3, "mean MD " + sub3[6]);
        String html = Files.readString(out.resolve("group/index.html"));
        assertEquals(3, html.split("<img ", -1).length - 1);
    }

    @Test
    void twoShardsStartedTogetherMakeOneValidDataset() throws Exception {
        Path out = root.resolve("out-shards");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        List<Future<BidsParticipant.Summary>> f = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            Shard shard = new Shard(i, 2);
            f.add(pool.submit(() -> {
                go.await();
                return BidsParticipant.run(new ParticipantRequest(raw, out, List.of(), List.of(), model, shard, true, null,
                        raw.resolve("derivatives/masks"), Tiling.WHOLE, 1), Backends.host(), new Predictor.Listener() {}, new BidsParticipant.Reporter() {
                    @Override public void info(String line) {}
                    @Override public void problem(String line) { problems.add(line); }
                });
            }));
        }
        go.countDown();
        assertEquals(2, f.get(0).get().done()); // sub-01 and sub-03
        assertEquals(1, f.get(1).get().done()); // sub-02
        pool.shutdown();
        assertEquals(List.of(), problems);
        List<String> files = filesUnder(out);
        assertEquals(3 * 12 + 4, files.size(), files.toString());
        for (String file : files) if (file.startsWith("sub-")) assertNull(Derivatives.checkName(file), file);
        assertEquals("derivative", json(out.resolve("dataset_description.json")).get("DatasetType").getAsString());
        assertTrue(json(out.resolve("sub-01/dwi/sub-01_space-dwi_desc-brain_mask.json")).get("MaskSource").getAsString().contains("--mask-dir"));
        // and many racers on the description alone: one complete file, no temporary left
        Path dd = root.resolve("race/dataset_description.json");
        Files.createDirectories(dd.getParent());
        ExecutorService many = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String content = "{\"Name\": \"racer " + i + "\", \"pad\": \"" + "x".repeat(100_000) + "\"}\n";
            all.add(many.submit(() -> { start.await(); Derivatives.createOnce(dd, content); return null; }));
        }
        start.countDown();
        for (Future<?> a : all) a.get();
        many.shutdown();
        assertTrue(JsonParser.parseString(Files.readString(dd)).getAsJsonObject().get("Name").getAsString().startsWith("racer "));
        try (Stream<Path> s = Files.list(dd.getParent())) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void aKilledRunIsRedoneAndCompleteOnesSkipped() throws IOException {
        Path out = root.resolve("out-rerun");
        run(0, "bids", raw.toString(), out.toString(), "participant", "--model", model.toString(), "--shard", "1/1");
        // a task killed while writing sub-03: its T1w and sidecar missing, a temporary file left
        Files.delete(out.resolve("sub-03/anat/sub-03_space-dwi_desc-synth_T1w.nii.gz"));
        Files.delete(out.resolve("sub-03/anat/sub-03_space-dwi_desc-synth_T1w.json"));
        Files.writeString(out.resolve("sub-03/anat/.sub-03_space-dwi_desc-synth_T1w.nii.gz.1234.tmp"), "half");
        String msg = run(0, "bids", raw.toString(), out.toString(), "participant", "--model", model.toString(), "--skip-existing")[0];
        assertTrue(msg.contains("1 run(s) done, 2 skipped"), msg);
        assertTrue(Files.exists(out.resolve("sub-03/anat/sub-03_space-dwi_desc-synth_T1w.nii.gz")));
        msg = run(0, "bids", raw.toString(), out.toString(), "participant", "--model", model.toString(), "--skip-existing",
                "--participant-label", "01", "sub-02")[0];
        assertTrue(msg.contains("nothing to do (2 run(s) complete already)"), msg);
    }

    @Test
    void badDatasetsGiveOneLinePerProblemAndTheOthersStillRun() throws IOException {
        Path bad = root.resolve("bad-raw");
        copyTree(raw, bad);
        Files.delete(bad.resolve("dataset_description.json"));
        Files.writeString(bad.resolve("sub-03/dwi/sub-03_dwi.bvec"), "1 0 0\n0 1 0\n0 0 1\n"); // 3 vectors for 14 volumes
        Files.createDirectories(bad.resolve("sub-04/anat")); // a subject without DWI
        Path out = root.resolve("out-bad");
        String[] r = run(2, "bids", bad.toString(), out.toString(), "participant", "--model", model.toString(),
                "--participant-label", "01", "03", "04", "99");
        String[] lines = r[1].strip().split("\n");
        assertEquals(4, lines.length, r[1]);
        assertTrue(r[1].contains("dataset_description.json: missing"), r[1]);
        assertTrue(r[1].contains("sub-03: ") && r[1].contains("sub-03_dwi.bvec"), r[1]);
        assertTrue(r[1].contains("sub-04: ") && r[1].contains("no dwi/"), r[1]);
        assertTrue(r[1].contains("sub-99: no such participant"), r[1]);
        assertFalse(r[1].contains("\tat "), "no stack trace");
        assertTrue(r[0].contains("1 run(s) done"), r[0]);
        assertTrue(Files.exists(out.resolve("sub-01/anat/sub-01_space-dwi_desc-synth_T1w.nii.gz")));
        assertFalse(Files.exists(out.resolve("sub-03")), "no partial output of the failed subject");
        assertTrue(run(2, "bids", bad.toString(), out.toString(), "participant")[1].contains("--model"));
        assertTrue(run(2, "bids", bad.toString(), out.toString(), "participant", "--model", model.toString(), "--shard", "4/3")[1].contains("--shard 4/3"));
        assertTrue(run(2, "bids", root.resolve("nowhere").toString(), out.toString(), "group")[1].split("\n").length == 1);
    }

    @Test
    void groupScoresARawT1wOnAnotherGridThroughTheAffinesAndSaysSo() throws IOException {
        Path raw2 = root.resolve("raw-t1-grid");
        copyTree(raw, raw2);
        Path t1 = raw2.resolve("sub-01/anat/sub-01_T1w.nii.gz");
        dev.deepanat.nifti.NiftiImage img = Nifti.read(t1);
        // the same image shifted by one voxel along x in its array, the affine shifted back: the same world positions
        float[] v = img.data(), w = new float[v.length];
        for (int i = 0; i + 1 < v.length; i++) w[i] = v[i + 1];
        double[][] a = img.affine();
        double[][] moved = {a[0].clone(), a[1].clone(), a[2].clone(), a[3].clone()};
        for (int r = 0; r < 3; r++) moved[r][3] += a[r][0];
        Nifti.write(t1, dev.deepanat.nifti.NiftiImage.of(img.header().toBuilder().sform(1, moved).qform(1, moved).build(), img.dims(), w));
        Path out = root.resolve("out-t1-grid");
        run(0, "bids", raw2.toString(), out.toString(), "participant", "--model", model.toString(), "--participant-label", "01");
        run(0, "bids", raw2.toString(), out.toString(), "group");
        List<String> qc = Files.readAllLines(out.resolve("group/qc.tsv"));
        assertEquals(2, qc.size(), String.join("\n", qc));
        String[] row = qc.get(1).split("\t");
        assertTrue(row[13].contains("resampled onto the DWI grid"), qc.get(1));
        assertTrue(Double.parseDouble(row[10]) > -1, qc.get(1));
        // the missing mask of a --mask-dir is one line naming where it was looked for
        String[] r = run(2, "bids", raw.toString(), root.resolve("out-nomask").toString(), "participant", "--model", model.toString(),
                "--mask-dir", root.resolve("no-masks").toString(), "--participant-label", "03");
        assertTrue(r[1].strip().startsWith("deepanat bids: sub-03: ") && r[1].contains("no mask in --mask-dir"), r[1]);
        assertEquals(1, r[1].strip().split("\n").length, r[1]);
        // two runs differing only in dir-: their T1w names would collide, so the second is refused with one line
        Path raw3 = root.resolve("raw-dir");
        copyTree(raw, raw3);
        Path dwi = raw3.resolve("sub-03/dwi");
        for (String ext : List.of(".nii.gz", ".bval", ".bvec", ".json")) {
            Files.copy(dwi.resolve("sub-03_dwi" + ext), dwi.resolve("sub-03_dir-AP_dwi" + ext));
            Files.move(dwi.resolve("sub-03_dwi" + ext), dwi.resolve("sub-03_dir-PA_dwi" + ext));
        }
        Path out3 = root.resolve("out-dir");
        r = run(2, "bids", raw3.toString(), out3.toString(), "participant", "--model", model.toString(), "--participant-label", "03");
        assertTrue(r[1].contains("sub-03_dir-PA_dwi.nii.gz differs from sub-03/dwi/sub-03_dir-AP_dwi.nii.gz only in dir-"), r[1]);
        assertEquals(1, r[1].strip().split("\n").length, r[1]);
        assertTrue(Files.exists(out3.resolve("sub-03/dwi/sub-03_dir-AP_space-dwi_desc-brain_mask.nii.gz")));
        assertFalse(Files.exists(out3.resolve("sub-03/dwi/sub-03_dir-PA_space-dwi_desc-brain_mask.nii.gz")));
    }

    @Test
    void groupGivesOneLinePerBrokenRunAndStillWritesTheTable() throws IOException {
        Path out = root.resolve("out-group-broken");
        run(0, "bids", raw.toString(), out.toString(), "participant", "--model", model.toString(), "--participant-label", "01", "03");
        // sub-01: a sidecar without Sources (was a NullPointerException that stopped the whole group level, exit 1)
        Path side = out.resolve("sub-01/anat/sub-01_space-dwi_desc-synth_T1w.json");
        JsonObject j = json(side);
        j.remove("Sources");
        Files.writeString(side, j.toString());
        // sub-03: an FA map on another grid (was an ArrayIndexOutOfBoundsException)
        Path fa = out.resolve("sub-03/dwi/sub-03_space-dwi_desc-dti_FA.nii.gz");
        dev.deepanat.nifti.NiftiImage img = Nifti.read(fa);
        int[] d = img.dims();
        Nifti.write(fa, dev.deepanat.nifti.NiftiImage.of(img.header(), new int[] {d[0] - 1, d[1], d[2]}, new float[(d[0] - 1) * d[1] * d[2]]));
        String[] r = run(2, "bids", raw.toString(), out.toString(), "group");
        assertEquals(2, r[1].strip().split("\n").length, r[1]);
        assertTrue(r[1].contains(side + ": malformed sidecar"), r[1]);
        assertTrue(r[1].contains(fa + ": "), r[1]);
        assertFalse(r[1].contains("\tat ") || r[1].contains("internal error"), r[1]);
        assertEquals(1, Files.readAllLines(out.resolve("group/qc.tsv")).size(), "the header, no row of a broken run");
    }

    @Test
    void aDatasetNameThatIsNotAStringIsLeftOut() throws IOException {
        Path ds = root.resolve("raw-name-null");
        Files.createDirectories(ds.resolve("sub-01"));
        Files.writeString(ds.resolve("dataset_description.json"), "{\"Name\": null, \"BIDSVersion\": \"1.9.0\"}");
        JsonObject d = JsonParser.parseString(Derivatives.description(BidsDataset.open(ds))).getAsJsonObject();
        assertEquals("DeepAnat-J synthesized T1w", d.get("Name").getAsString());
    }

    @Test
    void theNameRulesRejectWhatBidsForbids() {
        assertNull(Derivatives.checkName("sub-01/ses-1/anat/sub-01_ses-1_acq-x_run-2_space-dwi_desc-synth_T1w.nii.gz"));
        assertNull(Derivatives.checkName("sub-01/dwi/sub-01_dir-AP_space-dwi_desc-dti_FA.json"));
        assertEquals("dir- is dropped for anat outputs", Derivatives.checkName("sub-01/anat/sub-01_dir-AP_space-dwi_desc-synth_T1w.nii.gz"));
        assertTrue(Derivatives.checkName("sub-01/anat/sub-01_run-1_acq-x_space-dwi_desc-synth_T1w.nii.gz").startsWith("not a BIDS file name"));
        assertTrue(Derivatives.checkName("sub-01/anat/sub-02_space-dwi_desc-synth_T1w.nii.gz").startsWith("sub- entity"));
        assertTrue(Derivatives.checkName("sub-01/ses-2/dwi/sub-01_ses-1_space-dwi_desc-brain_mask.nii.gz").startsWith("ses- entity"));
        assertTrue(Derivatives.checkName("sub-01/dwi/sub-01_space-dwi_desc-synth_mask.nii.gz").startsWith("no output"));
        assertTrue(Derivatives.checkName("sub-01/dwi/sub-01_space-T1w_desc-brain_mask.nii.gz").startsWith("space-"));
        assertTrue(Derivatives.checkName("sub-01/dwi/sub-01_task-rest_space-dwi_desc-brain_mask.nii.gz").startsWith("entity task-"));
        assertTrue(Derivatives.checkName("sub-01/dwi/sub-01_space-dwi_desc-brain_mask.nii").startsWith("extension"));
        assertTrue(Derivatives.checkName("sub-01/dwi/sub-01_acq-a_b_space-dwi_desc-brain_mask.nii.gz").startsWith("not a BIDS"));
        assertEquals(List.of(0, 3), new Shard(1, 3).of(List.of(0, 1, 2, 3, 4)));
        assertEquals(List.of(2), new Shard(3, 3).of(List.of(0, 1, 2, 3, 4)));
        assertEquals(Shard.parse("3/3"), Shard.parse("0/3")); // a 0-based job array covers the cohort too
        assertEquals(new Shard(2, 3), Shard.parse(" 2 / 3 "));
    }

    @Test
    void thePhantomDatasetPassesTheBidsValidator() throws Exception {
        Path validator = validator();
        Assumptions.assumeTrue(validator != null, "bids-validator 1.15.0 not installed (.ci/run installs it; or set BIDS_VALIDATOR)");
        Process p = new ProcessBuilder(validator.toString(), raw.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertFalse(out.contains("[ERR]"), out);
    }

    /** $BIDS_VALIDATOR, else the copy .ci/run installs under ~/.cache/deepanat; null when absent or node is missing. */
    static Path validator() {
        String env = System.getenv("BIDS_VALIDATOR");
        Path p = env != null ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache/deepanat/bids-validator-1.15.0/node_modules/.bin/bids-validator");
        if (!Files.isExecutable(p)) return null;
        try {
            return new ProcessBuilder("node", "--version").start().waitFor() == 0 ? p : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    static List<String> filesUnder(Path out) throws IOException {
        try (Stream<Path> s = Files.walk(out)) {
            return s.filter(Files::isRegularFile).map(p -> out.relativize(p).toString()).sorted().toList();
        }
    }

    static JsonObject json(Path p) throws IOException {
        return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t); else Files.copy(p, t);
            }
        }
    }
}
