package dev.deepanat.infer;

import dev.deepanat.common.UserError;
import dev.deepanat.data.MaskStats;
import dev.deepanat.data.Subject;
import dev.deepanat.data.SubjectLayout;
import dev.deepanat.diffusion.OutputSet;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.nifti.NiftiImage;
import dev.deepanat.train.Checkpoints;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code deepanat predict}: a subject's T1w synthesized by a trained model, written in the subject's geometry, with
 * the normalized prediction beside it. The prediction is de-normalized with, in this order, the statistics of a
 * reference T1w the user names ({@code t1StatsFrom}, taken inside the subject's mask) or the training subjects' mean
 * statistics stored in the checkpoint, never the subject's own T1w unless the user passes it.
 */
public final class Synthesis {
    private Synthesis() {}

    /** @param out the T1w file (null: {@code <subject dir>/<sj>_t1w_synth.nii.gz}); the normalized one gets "_norm" */
    public record Request(Path model, Path subjectDir, Path out, Tiling tiling, int pad, int crop, Path t1StatsFrom) {}

    public record Result(Path t1w, Path normalized, Tiling tiling, String statsSource, MaskStats stats, double seconds) {}

    public static Result run(Request r, Backend be, Predictor.Listener l) {
        if (!Files.isDirectory(r.subjectDir())) throw new UserError(r.subjectDir() + ": no such subject folder");
        return run(r, Checkpoints.load(r.model(), be), be, l);
    }

    /** As {@link #run(Request, Backend, Predictor.Listener)} with a model already loaded (once per process). */
    public static Result run(Request r, Checkpoints.TrainedModel m, Backend be, Predictor.Listener l) {
        long t0 = System.nanoTime();
        if (!Files.isDirectory(r.subjectDir())) throw new UserError(r.subjectDir() + ": no such subject folder");
        SubjectLayout files = SubjectLayout.of(r.subjectDir());
        Path out = r.out() != null ? r.out() : r.subjectDir().resolve(files.id() + "_t1w_synth.nii.gz");
        String name = out.getFileName().toString();
        if (!name.endsWith(".nii.gz") && !name.endsWith(".nii")) throw new UserError(out + ": --out must end in .nii.gz or .nii");
        if (Files.isDirectory(out)) throw new UserError(out + ": is a folder; --out names the T1w file to write");
        Path norm = out.resolveSibling(name.replaceFirst("\\.nii(\\.gz)?$", "_norm$0"));
        if (r.pad() < 0) throw new UserError("--pad " + r.pad() + ": must be >= 0");

        int block = m.card().block();
        if (r.tiling() == Tiling.BLOCKS && block % m.card().config().sizeMultiple() != 0)
            throw new UserError(r.model() + ": block " + block + " does not fit the U-Net's size multiple");
        Subject s = Subject.load(files, r.t1StatsFrom()); // the reference T1w, when given, only lends its statistics
        MaskStats stats;
        String source;
        if (r.t1StatsFrom() != null) {
            stats = s.targetStats();
            source = r.t1StatsFrom().toString();
        } else {
            stats = new MaskStats(m.card().t1wMean(), m.card().t1wStd());
            int n = m.card().trainingSubjects().size();
            source = "the checkpoint (the mean over its " + n + " training subject" + (n == 1 ? ")" : "s)");
        }
        float[] z;
        try {
            z = Predictor.predict(m.net(), block, s, r.tiling(), r.pad(), r.crop(), be, l);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
        float[] t1 = stats.denormalize(z, s.mask());
        String descrip = "DeepAnat synthetic T1w, tiling=" + r.tiling().label();
        int[] dims = {s.nx(), s.ny(), s.nz()};
        Path dir = out.toAbsolutePath().getParent();
        new OutputSet()
                .add(name, describe(NiftiImage.of(s.geometry(), dims, t1), descrip))
                .add(norm.getFileName().toString(), describe(NiftiImage.of(s.geometry(), dims, z), descrip + " (normalized)"))
                .commit(dir);
        return new Result(out, norm, r.tiling(), source, stats, (System.nanoTime() - t0) / 1e9);
    }

    private static NiftiImage describe(NiftiImage img, String descrip) {
        // The mask's header lends the geometry; its display window and intent would mislabel a T1w.
        return NiftiImage.of(img.header().toBuilder().descrip(descrip).cal(0, 0).intent(0, 0, 0, 0, "").build(), img.dims(), img.data());
    }
}
