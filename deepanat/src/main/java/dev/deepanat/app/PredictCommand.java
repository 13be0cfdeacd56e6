package dev.deepanat.app;

import dev.deepanat.infer.Synthesis;
import dev.deepanat.infer.Tiling;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code deepanat predict}: a T1w synthesized for one subject by a trained model. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Synthesize a subject's T1w with a trained model; writes it and the normalized prediction beside it.")
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Checkpoint (best.safetensors of a train run).") Path model;
    @Option(names = "--subject", required = true, description = "Prepared subject folder (<sj>/<sj>_diff_*.nii.gz and <sj>_mask).") Path subject;
    @Option(names = "--out", description = "T1w to write (default <subject>/<sj>_t1w_synth.nii.gz).") Path out;
    @Option(names = "--tiling", defaultValue = "blocks", description = "blocks (the original's overlapping blocks) or whole (one pass; faster on a CPU); default ${DEFAULT-VALUE}.") String tiling;
    @Option(names = "--pad", defaultValue = "5", description = "Extra blocks per axis on the prediction grid (default ${DEFAULT-VALUE}; blocks tiling only).") int pad;
    @Option(names = "--crop", defaultValue = "3", description = "Voxels cut from inner block faces (default ${DEFAULT-VALUE}; blocks tiling only).") int crop;
    @Option(names = "--t1-stats-from", description = "Reference T1w on the subject's grid whose in-mask mean/std de-normalize the prediction (default: the training subjects' stored in the checkpoint).") Path t1Stats;
    @Option(names = "--device", description = "Backend: cuda, cpu, reference, checked (a slow memory-checking test device) or auto (default: cuda when available, else the fastest CPU backend).") String device;

    @Override
    public Integer call() {
        Tiling t = switch (tiling.toLowerCase(java.util.Locale.ROOT)) {
            case "blocks" -> Tiling.BLOCKS;
            case "whole" -> Tiling.WHOLE;
            default -> throw new dev.deepanat.common.UserError("--tiling " + tiling + ": blocks or whole");
        };
        Synthesis.Result r = Synthesis.run(new Synthesis.Request(model, subject, out, t, pad, crop, t1Stats),
                DeviceOption.pick(device), new ConsoleProgress());
        System.out.printf("predict: wrote %s and %s (tiling %s, de-normalized with the statistics of %s) in %.1f s%n",
                r.t1w(), r.normalized(), r.tiling().label(), r.statsSource(), r.seconds());
        return 0;
    }
}
