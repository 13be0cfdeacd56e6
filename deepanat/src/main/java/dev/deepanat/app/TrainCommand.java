package dev.deepanat.app;

import dev.deepanat.report.Provenance;
import dev.deepanat.report.RunReport;
import dev.deepanat.train.TrainRequest;
import dev.deepanat.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code deepanat train}: the DeepAnat U-Net on prepared subjects. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train (or fine-tune) the DeepAnat U-Net on prepared subjects: masked L1, Adam, batch 1.")
final class TrainCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--data", required = true, description = "Folder of subject folders (<sj>/<sj>_diff_*.nii.gz, _mask, _t1w).") Path data;
    @Option(names = "--out", required = true, description = "Run folder: best/last.safetensors, history.csv, loss.png, report.html.") Path out;
    @Option(names = "--subjects", split = ",", description = "Subjects to use (a,b,c or a file with one per line; default: all).") List<String> subjects;
    @Option(names = "--val-subjects", split = ",", description = "Validation subjects (a,b,c or a file).") List<String> valSubjects;
    @Option(names = "--val-fraction", description = "Fraction of the subjects held out for validation (seeded; default 0.2 with 2+ subjects, 0 for none).") Double valFraction;
    @Option(names = "--val-blocks", description = "Fraction of each subject's blocks for validation (default 0.2 when fine-tuning or with one subject).") Double valBlocks;
    @Option(names = "--epochs", defaultValue = "30", description = "Epochs (default ${DEFAULT-VALUE}).") int epochs;
    @Option(names = "--filters", defaultValue = "48", description = "Base filters (default ${DEFAULT-VALUE}).") int filters;
    @Option(names = "--levels", defaultValue = "5", description = "U-Net levels (default ${DEFAULT-VALUE}).") int levels;
    @Option(names = "--block", defaultValue = "64", description = "Block edge in voxels (default ${DEFAULT-VALUE}).") int block;
    @Option(names = "--lr", defaultValue = "1e-4", description = "Adam learning rate (default ${DEFAULT-VALUE}).") float lr;
    @Option(names = "--batch-norm", description = "Batch normalization after each convolution (off in the original).") boolean batchNorm;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the weights, the split and the block order (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--init", description = "Checkpoint to fine-tune (its weights are kept).") Path init;
    @Option(names = "--resume", description = "Continue the run in --out where it stopped.") boolean resume;
    @Option(names = "--max-blocks-per-epoch", defaultValue = "0", description = "Use only this many blocks per epoch (0 = all).") int maxBlocks;
    @Option(names = "--device", description = "Backend: cuda, cpu, reference, checked (a slow memory-checking test device) or auto (default: cuda when available, else the fastest CPU backend).") String device;

    @Override
    public Integer call() {
        TrainRequest r = new TrainRequest(data, subjects, valSubjects, valFraction, valBlocks, epochs, filters, levels, block, lr,
                batchNorm, seed, init, resume, maxBlocks, out);
        Invocation inv = Invocation.of(spec);
        var be = DeviceOption.pick(device);
        Trainer.Result res = Trainer.run(r, be, new ConsoleProgress());
        Path html = RunReport.writeForRun(out, Provenance.of(inv.commandLine(), be.name(), inv.started()));
        if (res.epochsTrained() == 0)
            System.out.printf("train: nothing to do; %s already has %d epochs%n", out, res.history().size());
        else
            System.out.printf("train: wrote %s (%s), %s, %s and %s%n", res.best(),
                    Double.isNaN(res.history().getLast().valLoss()) ? "no validation: the last epoch" : "lowest validation loss",
                    res.last(), out.resolve(Trainer.HISTORY), out.resolve(Trainer.PLOT));
        System.out.println("train: report (open in a browser): " + html);
        return 0;
    }
}
