package dev.deepanat.app;

import dev.deepanat.data.SubjectLayout;
import dev.deepanat.infer.Synthesis;
import dev.deepanat.report.HtmlReport;
import dev.deepanat.report.Provenance;
import dev.deepanat.report.RunReport;
import dev.deepanat.infer.Tiling;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code deepanat predict}: a T1w synthesized for one subject by a trained model. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Synthesize a subject's T1w with a trained model; writes it and the normalized prediction beside it.")
final class PredictCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--model", required = true, description = "Checkpoint (best.safetensors of a train run).") Path model;
    @Option(names = "--subject", required = true, description = "Prepared subject folder (<sj>/<sj>_diff_*.nii.gz and <sj>_mask).") Path subject;
    @Option(names = "--out", description = "T1w to write (default <subject>/<sj>_t1w_synth.nii.gz).") Path out;
    @Option(names = "--tiling", defaultValue = "blocks", description = "blocks (the original's overlapping blocks) or whole (one pass; faster on a CPU); default ${DEFAULT-VALUE}.") String tiling;
    @Option(names = "--pad", defaultValue = "5", description = "Extra blocks per axis on the prediction grid (default ${DEFAULT-VALUE}; blocks tiling only).") int pad;
    @Option(names = "--crop", defaultValue = "3", description = "Voxels cut from inner block faces (default ${DEFAULT-VALUE}; blocks tiling only).") int crop;
    @Option(names = "--t1-stats-from", description = "Reference T1w on the subject's grid whose in-mask mean/std de-normalize the prediction (default: the training subjects' stored in the checkpoint).") Path t1Stats;
    @Option(names = "--device", description = "Backend: cuda, cpu, reference, checked (a slow memory-checking test device) or auto (default: cuda when available, else the fastest CPU backend).") String device;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write a self-contained HTML page: the mean DWI and the synthesized T1w in a 3-plane viewer.") Path report;
    @Override
    public Integer call() {
        Tiling t = switch (tiling.toLowerCase(java.util.Locale.ROOT)) {
            case "blocks" -> Tiling.BLOCKS;
            case "whole" -> Tiling.WHOLE;
            default -> throw new dev.deepanat.common.UserError("--tiling " + tiling + ": blocks or whole");
        };
        Invocation inv = Invocation.of(spec);
        var be = DeviceOption.pick(device);
        Synthesis.Result r = Synthesis.run(new Synthesis.Request(model, subject, out, t, pad, crop, t1Stats), be, new ConsoleProgress());
        System.out.printf(java.util.Locale.ROOT, "predict: wrote %s and %s (tiling %s, de-normalized with the statistics of %s) in %.1f s%n",
                r.t1w(), r.normalized(), r.tiling().label(), r.statsSource(), r.seconds());
        if (report != null) {
            var details = new java.util.LinkedHashMap<String, String>();
            details.put("checkpoint", model.toString());
            details.put("subject", subject.toString());
            details.put("synthesized T1w", r.t1w().toString());
            details.put("tiling", r.tiling().label());
            details.put("de-normalized with", r.statsSource());
            long bytes = HtmlReport.write(report, RunReport.forPrediction(SubjectLayout.of(subject), r.t1w(), details,
                    Provenance.of(inv.commandLine(), be.name(), inv.started())));
            System.out.printf(java.util.Locale.ROOT, "predict: report %s (%.1f MB)%n", report, bytes / 1e6);
        }
        return 0;
    }
}
