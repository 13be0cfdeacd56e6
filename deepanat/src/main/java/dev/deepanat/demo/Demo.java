package dev.deepanat.demo;

import com.google.gson.GsonBuilder;
import dev.deepanat.common.AtomicFiles;
import dev.deepanat.common.UserError;
import dev.deepanat.data.Subject;
import dev.deepanat.data.SubjectLayout;
import dev.deepanat.diffusion.FitMethod;
import dev.deepanat.diffusion.PreparePipeline;
import dev.deepanat.diffusion.PrepareRequest;
import dev.deepanat.diffusion.ShellChoice;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.eval.LinearBaseline;
import dev.deepanat.eval.Metrics;
import dev.deepanat.infer.Predictor;
import dev.deepanat.infer.Synthesis;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiImage;
import dev.deepanat.phantom.BrainPhantom;
import dev.deepanat.phantom.PhantomSpec;
import dev.deepanat.phantom.PhantomWriter;
import dev.deepanat.report.HtmlReport;
import dev.deepanat.report.Montage;
import dev.deepanat.report.Provenance;
import dev.deepanat.report.RunReport;
import dev.deepanat.train.TrainRequest;
import dev.deepanat.train.GanRequest;
import dev.deepanat.train.GanTrainer;
import dev.deepanat.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * DeepAnat end to end on the built-in phantom through the same library the commands use: a phantom cohort is
 * simulated (raw DWI, bvals/bvecs, T1w, mask), prepared from the raw DWI, a U-Net is trained on the first subjects
 * (one more for validation), and the last, held-out subject's T1w is predicted with the statistics stored in the
 * checkpoint and scored, beside a voxel-wise linear regression on the 11 inputs fitted on the training subjects.
 * Writes {@code report.json}, {@code montage.png}, {@code loss.png}, {@code provenance.json}, the self-contained
 * {@code report.html} and the run under {@code out}.
 */
public final class Demo {
    /** gan is null without {@code --gan}. */
    public record Result(Metrics model, Metrics baseline, Metrics gan, double seconds, Path report, Path montage, Path lossPlot,
                         Path synthesized, Path html, long htmlBytes) {}

    private Demo() {}

    public static Result run(DemoOptions o, Backend be, Trainer.Listener trainLog, Predictor.Listener predictLog, Consumer<String> log) {
        return run(o, be, trainLog, predictLog, log, "deepanat demo");
    }

    /** @param commandLine the command as typed, shown in report.html's provenance */
    public static Result run(DemoOptions o, Backend be, Trainer.Listener trainLog, Predictor.Listener predictLog, Consumer<String> log,
                             String commandLine) {
        long t0 = System.nanoTime();
        Instant started = Instant.now();
        Path out = o.out();
        if (Files.exists(out) && !Files.isDirectory(out)) throw new UserError(out + ": exists and is not a folder");
        if (o.levels() < 1 || o.levels() > 8 || o.filters() < 1) throw new UserError("--levels must be in 1..8 and --filters positive");
        int multiple = 1 << (o.levels() - 1);
        if (o.block() % multiple != 0 || o.block() > o.size()) // fail now, not after the simulation
            throw new UserError("--block " + o.block() + ": must be a multiple of " + multiple + " (for " + o.levels()
                    + " levels) and at most --size " + o.size());
        int n = o.trainSubjects() + 2; // + one validation subject + one held out
        Path raw = out.resolve("phantom"), data = out.resolve("data"), run = out.resolve("run"), ganRun = out.resolve("gan-run");
        deleteRun(run); // a demo starts afresh; its other outputs are simply overwritten
        deleteRun(ganRun);
        PhantomSpec spec = new PhantomSpec(n, o.size(), o.seed(), 30, 3, false, true);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String sj = PhantomSpec.subjectId(i);
            ids.add(sj);
            PhantomWriter.write(BrainPhantom.generate(spec, i), raw);
            Path d = raw.resolve(sj);
            PreparePipeline.run(new PrepareRequest(d.resolve(sj + "_dwi.nii.gz"), d.resolve(sj + "_dwi.bval"), d.resolve(sj + "_dwi.bvec"),
                    d.resolve(sj + "_mask.nii.gz"), sj, data.resolve(sj), ShellChoice.parse("1000"), 50, FitMethod.WLS, 0,
                    d.resolve(sj + "_t1w.nii.gz")));
        }
        List<String> train = ids.subList(0, o.trainSubjects());
        String val = ids.get(n - 2), test = ids.get(n - 1);
        log.accept(String.format("demo: %d phantom subjects of %d³ voxels simulated and prepared in %.1f s: training %s, validation %s, held out %s",
                n, o.size(), seconds(t0), train, val, test));

        Trainer.Result tr = Trainer.run(new TrainRequest(data, train, List.of(val), null, null, o.epochs(), o.filters(), o.levels(),
                o.block(), o.lr(), false, o.seed(), null, false, 0, run), be, trainLog);

        Path subjectDir = data.resolve(test);
        Path synthFile = out.resolve(test + "_t1w_synth.nii.gz");
        Synthesis.Result pr = Synthesis.run(new Synthesis.Request(tr.best(), subjectDir, synthFile, o.tiling(), 5, 3, null), be, predictLog);
        SubjectLayout files = new SubjectLayout(subjectDir, test);
        Metrics model = Metrics.ofFiles(pr.t1w(), files.t1w(), files.mask());

        // The baseline: a linear regression fitted on the training subjects, de-normalized like the model's output.
        List<Subject> trainSubjects = new ArrayList<>();
        for (String id : train) trainSubjects.add(Subject.load(new SubjectLayout(data.resolve(id), id), true));
        Subject held = Subject.load(files, false);
        float[] baseline = pr.stats().denormalize(LinearBaseline.fit(trainSubjects).predict(held), held.mask());
        NiftiImage truth = Nifti.read(files.t1w());
        Metrics base = Metrics.of(baseline, truth.data(), held.mask(), held.nx(), held.ny(), held.nz());

        // The hybrid GAN: the trained U-Net fine-tuned against the discriminator, predicted and scored the same way.
        Metrics gan = null;
        float[] ganT1w = null;
        if (o.gan() != null) {
            DemoOptions.Gan g = o.gan();
            GanTrainer.Result gr = GanTrainer.run(new GanRequest(data, train, List.of(val), null, null, tr.best(), o.filters(), o.levels(),
                    o.ganBlock(), g.epochs(), 1e-3f, o.lr() / 10, 3e-4f, g.dEpochs(), 10, 1f, g.dFilters(), true, o.seed(), g.blocks(),
                    false, ganRun), be, trainLog);
            Path ganFile = out.resolve(test + "_t1w_synth_gan.nii.gz");
            Synthesis.Result gp = Synthesis.run(new Synthesis.Request(gr.best(), subjectDir, ganFile, o.tiling(), 5, 3, null), be, predictLog);
            gan = Metrics.ofFiles(gp.t1w(), files.t1w(), files.mask());
            ganT1w = Nifti.read(gp.t1w()).data();
            log.accept(String.format("demo: GAN fine-tune, %d epochs of %d blocks: validation masked L1 %.4f -> %.4f", g.epochs(), g.blocks(),
                    gr.startValL1(), gr.history().getLast().valL1()));
        }

        double secs = seconds(t0);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", model.toMap());
        if (gan != null) report.put("gan", gan.toMap());
        report.put("baseline", base.toMap());
        report.put("seconds", Math.round(secs * 10) / 10.0);
        report.put("held_out_subject", test);
        report.put("tiling", pr.tiling().label());
        report.put("checkpoint", out.relativize(tr.best()).toString());
        report.put("epochs", o.epochs());
        Path reportFile = out.resolve("report.json");
        AtomicFiles.writeString(reportFile, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(report) + "\n");

        Path montage = out.resolve("montage.png"), loss = out.resolve("loss.png");
        writeMontage(montage, held, Nifti.read(files.channel(1)).data(), Nifti.read(pr.t1w()).data(), ganT1w, truth.data());
        AtomicFiles.write(loss, o2 -> Files.copy(run.resolve(Trainer.PLOT), o2));
        Provenance.of(commandLine, be.name(), started).write(out);
        Path html = out.resolve(RunReport.FILE);
        long htmlBytes = HtmlReport.write(html, RunReport.forDemo(out));
        return new Result(model, base, gan, secs, reportFile, montage, loss, pr.t1w(), html, htmlBytes);
    }

    /**
     * Rows axial, coronal, sagittal; columns mean DWI, synthesized T1w, the GAN's (when there is one), true T1w (one
     * grey window), |error| of the U-Net.
     */
    static void writeMontage(Path png, Subject s, float[] meanDwi, float[] synth, float[] gan, float[] truth) {
        float[] err = new float[truth.length];
        for (int i = 0; i < err.length; i++) err[i] = Math.abs(synth[i] - truth[i]) * s.mask()[i];
        Montage.Window t1 = Montage.Window.percentiles(truth, s.mask(), 1, 99);
        List<Montage.Column> columns = new ArrayList<>();
        columns.add(new Montage.Column("mean DWI", meanDwi, Montage.Window.percentiles(meanDwi, s.mask(), 1, 99)));
        columns.add(new Montage.Column("synthesized T1w", synth, t1));
        if (gan != null) columns.add(new Montage.Column("GAN T1w", gan, t1));
        columns.add(new Montage.Column("true T1w", truth, t1));
        columns.add(new Montage.Column("|error|", err, new Montage.Window(0, t1.hi() - t1.lo())));
        try {
            Montage.write(png, s.nx(), s.ny(), s.nz(), s.mask(), columns);
        } catch (IOException e) {
            throw new UserError(png + ": cannot write the montage (" + e.getMessage() + ")", e);
        }
    }

    private static void deleteRun(Path run) {
        for (String f : List.of(Trainer.BEST, Trainer.LAST, Trainer.HISTORY, Trainer.PLOT, Trainer.RESUME_STATE,
                GanTrainer.DISCRIMINATOR, GanTrainer.RESUME_STATE)) {
            try {
                Files.deleteIfExists(run.resolve(f));
            } catch (IOException e) {
                throw new UserError(run.resolve(f) + ": cannot remove the previous demo's run (" + e.getMessage() + ")", e);
            }
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

}
