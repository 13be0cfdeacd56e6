package dev.deepanat.app;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiImage;
import dev.deepanat.testing.Golden;
import dev.deepanat.train.TinyCohort;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.deepanat.app.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train → predict → evaluate through the CLI on a tiny phantom cohort, and the bad inputs each step must refuse. */
class PipelineCliTest {
    @TempDir static Path root;
    static Path data, model;

    @BeforeAll
    static void trainOnce() {
        data = TinyCohort.make(root, 3);
        Path runDir = root.resolve("run");
        String out = run(0, "train", "--data", data.toString(), "--out", runDir.toString(), "--subjects", "sub-01,sub-02",
                "--val-subjects", "sub-03", "--epochs", "2", "--filters", "4", "--levels", "3", "--block", "8",
                "--max-blocks-per-epoch", "6", "--lr", "1e-3", "--seed", "3")[0];
        assertTrue(out.contains("epoch 2: train masked L1"), out);
        assertTrue(out.contains("train: report (open in a browser): " + runDir.resolve("report.html")), out);
        model = runDir.resolve("best.safetensors");
    }

    @Test
    void predictWritesTheT1wAndItsNormalizedFormInBothTilings() {
        for (String tiling : new String[] {"blocks", "whole"}) {
            Path out = root.resolve("pred-" + tiling).resolve("sub-03_t1w_synth.nii.gz");
            String msg = run(0, "predict", "--model", model.toString(), "--subject", data.resolve("sub-03").toString(),
                    "--out", out.toString(), "--tiling", tiling)[0];
            assertTrue(msg.contains("tiling " + tiling), msg);
            NiftiImage t1 = Nifti.read(out), z = Nifti.read(out.resolveSibling("sub-03_t1w_synth_norm.nii.gz"));
            NiftiImage mask = Nifti.read(data.resolve("sub-03/sub-03_mask.nii.gz"));
            assertEquals(mask.header().affine()[0][3], t1.header().affine()[0][3]);
            assertTrue(t1.header().descrip().contains("tiling=" + tiling), t1.header().descrip());
            // one affine map from normalized units to T1w intensities inside the mask, zero outside
            double a = Double.NaN, b = Double.NaN;
            int inMask = 0;
            for (int i = 0; i < t1.data().length; i++) {
                if (mask.data()[i] <= 0.5f) {
                    assertEquals(0f, t1.data()[i]);
                    assertEquals(0f, z.data()[i]);
                    continue;
                }
                assertTrue(Float.isFinite(t1.data()[i]));
                if (inMask++ == 0) { a = z.data()[i]; b = t1.data()[i]; }
            }
            assertTrue(inMask > 100);
            String eval = run(0, "evaluate", "--pred", out.toString(), "--ref", data.resolve("sub-03/sub-03_t1w.nii.gz").toString(),
                    "--mask", data.resolve("sub-03/sub-03_mask.nii.gz").toString(), "--json")[0];
            JsonObject m = JsonParser.parseString(eval).getAsJsonObject();
            assertTrue(m.get("ssim").getAsDouble() > -1 && m.get("ssim").getAsDouble() < 1, eval);
            assertEquals(inMask, m.get("voxels").getAsInt());
            assertTrue(Double.isFinite(a + b));
        }
    }

    @Test
    void blocksLeaveNoBrainVoxelUncoveredEvenWithoutPadding() {
        // pad 0: the cropped blocks leave gaps between them, which the uncropped blocks fill
        Path out = root.resolve("pad0.nii.gz");
        run(0, "predict", "--model", model.toString(), "--subject", data.resolve("sub-03").toString(), "--out", out.toString(),
                "--pad", "0", "--crop", "3");
        float[] z = Nifti.read(root.resolve("pad0_norm.nii.gz")).data(), mask = Nifti.read(data.resolve("sub-03/sub-03_mask.nii.gz")).data();
        for (int i = 0; i < z.length; i++) if (mask[i] > 0.5f) assertTrue(z[i] != 0f, "voxel " + i + " was not predicted");
    }

    @Test
    void predictNeedsNoT1wAndTakesStatisticsFromAReference() throws IOException {
        Path sj = copySubject("sub-03", root.resolve("no-t1w"));
        Files.delete(sj.resolve("sub-03_t1w.nii.gz"));
        run(0, "predict", "--model", model.toString(), "--subject", sj.toString(), "--tiling", "whole");
        Path ref = data.resolve("sub-03/sub-03_t1w.nii.gz");
        Path out = root.resolve("with-ref.nii.gz");
        String msg = run(0, "predict", "--model", model.toString(), "--subject", sj.toString(), "--tiling", "whole",
                "--out", out.toString(), "--t1-stats-from", ref.toString())[0];
        assertTrue(msg.contains(ref.toString()), msg);
        // with the reference's statistics, the synthesized image has the reference's in-mask mean up to the model's bias
        float[] t1 = Nifti.read(out).data(), z = Nifti.read(root.resolve("with-ref_norm.nii.gz")).data(), r = Nifti.read(ref).data();
        float[] mask = Nifti.read(sj.resolve("sub-03_mask.nii.gz")).data();
        double refMean = 0, refSq = 0, n = 0;
        for (int i = 0; i < r.length; i++) if (mask[i] > 0.5f) { refMean += r[i]; n++; }
        refMean /= n;
        for (int i = 0; i < r.length; i++) if (mask[i] > 0.5f) refSq += (r[i] - refMean) * (r[i] - refMean);
        double refStd = Math.sqrt(refSq / n);
        for (int i = 0; i < r.length; i++)
            if (mask[i] > 0.5f) assertEquals(z[i] * refStd + refMean, t1[i], 1e-3 * refStd);
    }

    @Test
    void badInputsGiveOneLineNamingTheFileAndWriteNothing() throws IOException {
        Path base = root.resolve("bad");
        // a missing channel
        Path sj = copySubject("sub-03", base.resolve("missing"));
        Files.delete(sj.resolve("sub-03_diff_dtiDwi3.nii.gz"));
        expectRefused(sj, "sub-03_diff_dtiDwi3.nii.gz: missing");
        // an empty mask
        sj = copySubject("sub-03", base.resolve("empty-mask"));
        rewrite(sj.resolve("sub-03_mask.nii.gz"), v -> java.util.Arrays.fill(v, 0f));
        expectRefused(sj, "sub-03_mask.nii.gz: the mask is empty");
        // NaN in an input
        sj = copySubject("sub-03", base.resolve("nan"));
        rewrite(sj.resolve("sub-03_diff_meanb0.nii.gz"), v -> v[v.length / 2] = Float.NaN);
        expectRefused(sj, "sub-03_diff_meanb0.nii.gz: contains NaN");
        // a channel constant inside the mask
        sj = copySubject("sub-03", base.resolve("constant"));
        rewrite(sj.resolve("sub-03_diff_dtiDwi1.nii.gz"), v -> java.util.Arrays.fill(v, 7f));
        expectRefused(sj, "sub-03_diff_dtiDwi1.nii.gz: constant inside the mask");
        // a channel on another grid
        sj = copySubject("sub-03", base.resolve("grid"));
        NiftiImage small = NiftiImage.of(Nifti.read(sj.resolve("sub-03_diff_meandwi.nii.gz")).header(), new int[] {12, 12, 12}, new float[1728]);
        Nifti.write(sj.resolve("sub-03_diff_meandwi.nii.gz"), small);
        expectRefused(sj, "sub-03_diff_meandwi.nii.gz: grid 12×12×12");
        // not a DeepAnat checkpoint
        Path out = base.resolve("x.nii.gz");
        String err = run(2, "predict", "--model", Golden.path("torch/checkpoint_conv3d.safetensors").toString(), "--subject",
                data.resolve("sub-03").toString(), "--out", out.toString())[1];
        assertOneLine(err, "checkpoint_conv3d.safetensors: not a DeepAnat U-Net checkpoint");
        assertFalse(Files.exists(out));
        // a T1w on another grid refuses training
        Path d2 = base.resolve("t1-grid");
        copySubject("sub-01", d2);
        Path t1 = d2.resolve("sub-01/sub-01_t1w.nii.gz");
        Nifti.write(t1, NiftiImage.of(Nifti.read(t1).header(), new int[] {20, 24, 24}, new float[20 * 24 * 24]));
        err = run(2, "train", "--data", d2.toString(), "--out", base.resolve("run-t1").toString(), "--epochs", "1",
                "--filters", "2", "--levels", "2", "--block", "8")[1];
        assertOneLine(err, "sub-01_t1w.nii.gz: grid 20×24×24");
        assertFalse(Files.exists(base.resolve("run-t1").resolve("last.safetensors")));
        // --resume with nothing to resume
        err = run(2, "train", "--data", data.toString(), "--out", base.resolve("nothing").toString(), "--resume")[1];
        assertOneLine(err, "nothing to resume");
    }

    @Test
    void demoRunsTheWholePipelineWithTheGanAndWritesItsReport() throws IOException {
        Path out = root.resolve("demo");
        String msg = run(0, "demo", "--out", out.toString(), "--size", "24", "--epochs", "1", "--filters", "2", "--levels", "2",
                "--block", "16", "--quick", "--gan")[0];
        assertTrue(msg.contains("report " + out.resolve("report.json")), msg);
        assertTrue(msg.contains("demo: the GAN-fine-tuned U-Net:"), msg);
        JsonObject r = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        for (String k : new String[] {"model", "gan", "baseline"})
            for (String m : new String[] {"ssim", "mae", "psnr", "mse"})
                assertTrue(Double.isFinite(r.getAsJsonObject(k).get(m).getAsDouble()), k + "." + m);
        assertTrue(r.get("seconds").getAsDouble() > 0);
        assertTrue(Files.size(out.resolve("montage.png")) > 1000);
        assertTrue(Files.size(out.resolve("loss.png")) > 1000);
        assertTrue(msg.strip().endsWith(out.resolve("report.html").toAbsolutePath().normalize().toString()), "the demo ends with the page's path: " + msg);
        assertTrue(Files.isRegularFile(out.resolve("provenance.json")));
    }

    @Test
    void predictAndEvaluateWriteTheirReports() throws IOException {
        Path dir = root.resolve("reports"), t1 = dir.resolve("sub-03_t1w_synth.nii.gz");
        Path page = dir.resolve("predict.html"), sj = data.resolve("sub-03");
        run(0, "predict", "--model", model.toString(), "--subject", sj.toString(), "--out", t1.toString(), "--tiling", "whole",
                "--report", page.toString());
        String html = Files.readString(page);
        assertTrue(html.contains("DeepAnat prediction: sub-03") && html.contains("\"name\":\"synthesized T1w\""), "predict's page");
        assertTrue(html.contains("deepanat predict --model"), "the command line is in the provenance");

        Path eval = dir.resolve("evaluate.html");
        String json = run(0, "evaluate", "--pred", t1.toString(), "--ref", sj.resolve("sub-03_t1w.nii.gz").toString(),
                "--mask", sj.resolve("sub-03_mask.nii.gz").toString(), "--json", "--report", eval.toString())[0];
        double ssim = JsonParser.parseString(json).getAsJsonObject().get("ssim").getAsDouble();
        html = Files.readString(eval);
        assertTrue(html.contains("<td class=\"num\" data-metric=\"ssim\">" + dev.deepanat.report.HtmlReport.format("ssim", ssim) + "</td>"), "SSIM in the table");
        assertTrue(html.contains("\"name\":\"true T1w\"") && html.contains("|error|"), "reference and error in the viewer");
    }

    @Test
    void badArchitectureOptionsGiveOneLine() {
        assertOneLine(run(2, "train", "--data", data.toString(), "--out", root.resolve("bad-f").toString(), "--filters", "0")[1],
                "--filters 0: must be in 1..1024");
        assertOneLine(run(2, "train", "--data", data.toString(), "--out", root.resolve("bad-l").toString(), "--levels", "40")[1],
                "--levels 40: must be in 1..8");
    }

    @Test
    void outputsDoNotInheritTheMasksDisplayWindow() throws IOException {
        Path sj = copySubject("sub-03", root.resolve("windowed"));
        Path maskFile = sj.resolve("sub-03_mask.nii.gz");
        NiftiImage m = Nifti.read(maskFile);
        Nifti.write(maskFile, NiftiImage.of(m.header().toBuilder().cal(0, 1).build(), m.dims(), m.data()));
        Path out = root.resolve("windowed.nii.gz");
        run(0, "predict", "--model", model.toString(), "--subject", sj.toString(), "--out", out.toString(), "--tiling", "whole");
        assertEquals(0.0, Nifti.readHeader(out).calMax());
    }

    @Test
    void badDemoOptionsGiveOneLineBeforeAnyWork() {
        Path out = root.resolve("demo-bad");
        assertOneLine(run(2, "demo", "--block", "10", "--levels", "3", "--out", out.toString())[1],
                "--block 10: must be a multiple of 4 (for 3 levels)");
        assertFalse(Files.exists(out.resolve("phantom")));
    }

    @Test
    void runningOutOfMemoryEndsInOneLineSayingWhatToDo() throws Exception {
        // A separate JVM with a 24 MiB heap, asked for a phantom far larger than that.
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "-Xmx24m", "--add-modules=jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "phantom", "--out", root.resolve("oom").toString(),
                "--size", "160", "--subjects", "1").redirectErrorStream(false).start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.getInputStream().readAllBytes();
        assertEquals(2, p.waitFor(), err);
        String line = err.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).reduce("", (a, b) -> a + b + "\n");
        assertOneLine(line, "deepanat phantom: out of memory with a Java heap of");
        assertTrue(line.contains("DEEPANAT_JAVA_OPTS=-Xmx"), line);
    }

    private static void expectRefused(Path subject, String message) {
        Path out = subject.resolveSibling("pred.nii.gz");
        String err = run(2, "predict", "--model", model.toString(), "--subject", subject.toString(), "--out", out.toString())[1];
        assertOneLine(err, message);
        assertFalse(Files.exists(out), "no output after an error");
        assertFalse(Files.exists(subject.resolveSibling("pred_norm.nii.gz")));
    }

    private static void assertOneLine(String err, String part) {
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains(part), err);
    }

    private static Path copySubject(String id, Path dest) throws IOException {
        Path to = dest.resolve(id);
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(data.resolve(id))) {
            for (Path p : s.toList()) Files.copy(p, to.resolve(p.getFileName()));
        }
        return to;
    }

    private static void rewrite(Path f, java.util.function.Consumer<float[]> edit) {
        NiftiImage img = Nifti.read(f);
        float[] v = img.data().clone();
        edit.accept(v);
        Nifti.write(f, NiftiImage.of(img.header(), img.dims(), v));
    }
}
