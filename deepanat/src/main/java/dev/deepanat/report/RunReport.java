package dev.deepanat.report;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.deepanat.common.UserError;
import dev.deepanat.data.SubjectLayout;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fills a {@link ReportPage} from what the pipeline left on disk: a demo folder (report.json, the runs' histories,
 * the held-out subject's volumes, montage.png), a training run folder (history.csv), a prediction or an evaluation.
 */
public final class RunReport {
    public static final String FILE = "report.html";
    /** The mean DWI is the second of the 11 inputs (docs/preprocessing.md). */
    private static final int MEAN_DWI = 1;

    private RunReport() {}

    /** One volume to show: its data on the shared grid, its grey window and NiiVue colormap. */
    public record Shown(String name, float[] data, Montage.Window window, String colormap) {}

    /** A demo folder (it has report.json) or a run folder (history.csv). */
    public static ReportPage forDir(Path dir) {
        if (!Files.isDirectory(dir)) throw new UserError(dir + ": not a folder (give a demo output folder or a train run folder)");
        if (Files.isRegularFile(dir.resolve("report.json"))) return forDemo(dir);
        if (Files.isRegularFile(dir.resolve("history.csv"))) return forRun(dir);
        throw new UserError(dir + ": neither a demo folder (no report.json) nor a train run folder (no history.csv)");
    }

    public static ReportPage forDemo(Path out) {
        Path json = out.resolve("report.json");
        JsonObject r;
        try {
            r = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new UserError(json + ": cannot read the demo's report (" + e.getMessage() + ")", e);
        }
        if (!r.has("model") || !r.has("held_out_subject")) throw new UserError(json + ": not a demo report (no model or held_out_subject)");
        ReportPage p;
        String sj;
        try { // getAsString throws on an object, an array or null
            sj = r.get("held_out_subject").getAsString();
            p = new ReportPage("DeepAnat demo: synthesized T1w of " + sj);
            provenance(p, out);
            for (String k : List.of("held_out_subject", "epochs", "tiling", "checkpoint", "seconds"))
                if (r.has(k)) p.provenance(k.replace('_', ' '), r.get(k).getAsString());
        } catch (UnsupportedOperationException | IllegalStateException e) {
            throw new UserError(json + ": a field is not a plain value (" + e.getMessage() + ")", e);
        }
        p.metrics("U-Net", values(r, "model", json));
        if (r.has("gan")) p.metrics("hybrid GAN", values(r, "gan", json));
        if (r.has("baseline")) p.metrics("linear baseline", values(r, "baseline", json));
        if (Files.isRegularFile(out.resolve("run/history.csv"))) p.chart(HistoryCsv.read(out.resolve("run/history.csv")).charts("U-Net").getFirst());
        if (r.has("gan") && Files.isRegularFile(out.resolve("gan-run/history.csv")))
            HistoryCsv.read(out.resolve("gan-run/history.csv")).charts("hybrid GAN").forEach(p::chart);

        SubjectLayout files = new SubjectLayout(out.resolve("data").resolve(sj), sj);
        NiftiImage mask = Nifti.read(files.mask()), truth = Nifti.read(files.t1w());
        Path ganFile = out.resolve(sj + "_t1w_synth_gan.nii.gz");
        float[] synth = Nifti.read(out.resolve(sj + "_t1w_synth.nii.gz")).data();
        float[] gan = r.has("gan") && Files.isRegularFile(ganFile) ? Nifti.read(ganFile).data() : null;
        volumes(p, mask, Nifti.read(files.channel(MEAN_DWI)).data(), synth, gan, truth.data());
        Path montage = out.resolve("montage.png");
        if (Files.isRegularFile(montage)) p.montage(read(montage));
        return p;
    }

    /** A train or train-gan run folder: its curves, the best validation loss, provenance when the run left it. */
    public static ReportPage forRun(Path run) {
        HistoryCsv h = HistoryCsv.read(run.resolve("history.csv"));
        String what = h.isGan() ? "hybrid GAN" : "U-Net";
        ReportPage p = new ReportPage("DeepAnat " + what + " training: " + run.toAbsolutePath().normalize().getFileName());
        provenance(p, run);
        p.provenance("run folder", run.toAbsolutePath().normalize());
        p.provenance("epochs", h.epochs());
        String best = h.best(h.isGan() ? "val_l1" : "val_loss");
        p.provenance("best validation masked L1", best == null ? "no validation" : best);
        p.provenance("best checkpoint", Files.isRegularFile(run.resolve("best.safetensors")) ? run.resolve("best.safetensors") : null);
        h.charts(what).forEach(p::chart);
        return p;
    }

    /** After train or train-gan: provenance.json and report.html into the run folder; returns the page. */
    public static Path writeForRun(Path run, Provenance prov) {
        prov.write(run);
        Path html = run.resolve(FILE);
        HtmlReport.write(html, forRun(run));
        return html;
    }

    /** A prediction of a subject without a T1w: the mean DWI and the synthesized T1w. */
    public static ReportPage forPrediction(SubjectLayout subject, Path t1w, Map<String, String> details, Provenance prov) {
        ReportPage p = new ReportPage("DeepAnat prediction: " + subject.id());
        if (prov != null) p.provenance(prov.lines());
        p.provenance(details);
        NiftiImage mask = Nifti.read(subject.mask());
        volumes(p, mask, Nifti.read(subject.channel(MEAN_DWI)).data(), Nifti.read(t1w).data(), null, null);
        return p;
    }

    /** An evaluation: the metrics, the prediction, the reference and |error| inside the mask. */
    public static ReportPage forEvaluation(Path pred, Path ref, Path maskFile, Map<String, Object> metrics, Provenance prov) {
        ReportPage p = new ReportPage("DeepAnat evaluation: " + pred.getFileName());
        if (prov != null) p.provenance(prov.lines());
        p.provenance("prediction", pred).provenance("reference", ref).provenance("mask", maskFile);
        p.metrics("prediction", metrics);
        volumes(p, Nifti.read(maskFile), null, Nifti.read(pred).data(), null, Nifti.read(ref).data());
        return p;
    }

    /**
     * The viewer's rows (mean DWI, synthesized, GAN, true T1w, |error| of the synthesized; those given) and the
     * same columns as a static montage for browsers without WebGL2. T1w images share one grey window.
     */
    static void volumes(ReportPage p, NiftiImage maskImg, float[] meanDwi, float[] synth, float[] gan, float[] truth) {
        float[] mask = maskImg.data();
        // every volume on the mask's grid before anything indexes them together
        String[] names = {"mean DWI", "synthesized T1w", "GAN T1w", "true T1w"};
        float[][] given = {meanDwi, synth, gan, truth};
        for (int i = 0; i < given.length; i++)
            if (given[i] != null && given[i].length != mask.length)
                throw new UserError(names[i] + ": " + given[i].length + " voxels, the mask " + mask.length + "; not on one grid");
        boolean any = false;
        for (float v : mask) if (v > 0) { any = true; break; }
        if (!any) throw new UserError("the brain mask is empty (no voxel > 0); nothing to show");
        Montage.Window t1 = window(truth != null ? truth : synth, mask, truth != null ? "true T1w" : "synthesized T1w");
        List<Shown> rows = new ArrayList<>();
        if (meanDwi != null) rows.add(new Shown("mean DWI", meanDwi, window(meanDwi, mask, "mean DWI"), "gray"));
        rows.add(new Shown("synthesized T1w", synth, t1, "gray"));
        if (gan != null) rows.add(new Shown("GAN T1w", gan, t1, "gray"));
        if (truth != null) {
            rows.add(new Shown("true T1w", truth, t1, "gray"));
            float[] err = new float[truth.length];
            for (int i = 0; i < err.length; i++) err[i] = mask[i] > 0 ? Math.abs(synth[i] - truth[i]) : 0;
            rows.add(new Shown("|error| (synthesized − true, in the mask)", err, new Montage.Window(0, (t1.hi() - t1.lo()) / 2), "hot"));
        }
        for (Shown s : rows) {
            if (s.data().length != mask.length)
                throw new UserError(s.name() + ": " + s.data().length + " voxels, the mask " + mask.length + "; not on one grid");
            p.volume(ViewerVolume.of(s.name(), maskImg, s.data(), s.window(), s.colormap()));
        }
        if (p.montagePng == null) p.montage(montage(maskImg, rows));
    }

    /** The 1st..99th percentile window in the mask; a volume with no finite value there is the data's problem. */
    private static Montage.Window window(float[] data, float[] mask, String name) {
        try {
            return Montage.Window.percentiles(data, mask, 1, 99);
        } catch (IllegalArgumentException e) {
            throw new UserError(name + ": " + e.getMessage(), e);
        }
    }

    private static byte[] montage(NiftiImage mask, List<Shown> rows) {
        List<Montage.Column> cols = rows.stream().map(s -> new Montage.Column(s.name(), s.data(), s.window())).toList();
        try {
            Path tmp = Files.createTempFile("deepanat-montage", ".png");
            try {
                Montage.write(tmp, mask.nx(), mask.ny(), mask.nz(), mask.data(), cols);
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UserError("cannot draw the report's montage (" + e.getMessage() + ")", e);
        }
    }

    private static void provenance(ReportPage p, Path dir) {
        Provenance prov = Provenance.read(dir);
        if (prov != null) p.provenance(prov.lines());
    }

    private static Map<String, Object> values(JsonObject r, String key, Path json) {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            JsonObject o = r.getAsJsonObject(key);
            for (String k : HtmlReport.METRICS) m.put(k, o.has(k) ? o.get(k).getAsDouble() : Double.NaN);
        } catch (RuntimeException e) {
            throw new UserError(json + ": '" + key + "' is not a metrics object (" + e.getMessage() + ")", e);
        }
        return m;
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UserError(f + ": cannot read (" + e.getMessage() + ")", e);
        }
    }
}
