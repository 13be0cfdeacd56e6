package dev.deepanat.app;

import dev.deepanat.report.Provenance;
import dev.deepanat.report.RunReport;
import dev.deepanat.train.GanRequest;
import dev.deepanat.train.GanTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code deepanat train-gan}: the hybrid GAN, the U-Net fine-tuned against a 2-D discriminator. */
@Command(name = "train-gan", mixinStandardHelpOptions = true,
        description = "Fine-tune the U-Net as a GAN generator against a 2-D discriminator on axial, coronal and sagittal 64×64 slices.")
final class TrainGanCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--data", required = true, description = "Folder of subject folders (as for train).") Path data;
    @Option(names = "--out", required = true, description = "Run folder: best/last.safetensors (the generator), discriminator.safetensors, history.csv, loss.png.") Path out;
    @Option(names = "--init-generator", description = "U-Net checkpoint to start from (default: a fresh U-Net of --filters and --levels).") Path initGenerator;
    @Option(names = "--subjects", split = ",", description = "Subjects to use (a,b,c or a file; default: all).") List<String> subjects;
    @Option(names = "--val-subjects", split = ",", description = "Validation subjects (a,b,c or a file).") List<String> valSubjects;
    @Option(names = "--val-fraction", description = "Fraction of the subjects held out for validation (as for train).") Double valFraction;
    @Option(names = "--val-blocks", description = "Fraction of each subject's blocks for validation (as for train).") Double valBlocks;
    @Option(names = "--block", defaultValue = "64", description = "Block and slice edge, a multiple of 16 (default ${DEFAULT-VALUE}, the paper's).") int block;
    @Option(names = "--epochs", defaultValue = "50", description = "Epochs (default ${DEFAULT-VALUE}).") int epochs;
    @Option(names = "--adv-weight", defaultValue = "1e-3", description = "Weight of the adversarial loss (default ${DEFAULT-VALUE}).") float advWeight;
    @Option(names = "--lr-g", defaultValue = "1e-4", description = "Generator's Adam learning rate (default ${DEFAULT-VALUE}).") float lrG;
    @Option(names = "--lr-d", defaultValue = "3e-4", description = "Discriminator's Adam learning rate (default ${DEFAULT-VALUE}).") float lrD;
    @Option(names = "--d-epochs", defaultValue = "3", description = "Discriminator passes over each block's slices (default ${DEFAULT-VALUE}).") int dEpochs;
    @Option(names = "--d-batch", defaultValue = "10", description = "Slices per discriminator step (default ${DEFAULT-VALUE}).") int dBatch;
    @Option(names = "--label-smoothing", defaultValue = "1.0", description = "Label of real slices (default ${DEFAULT-VALUE}: none).") float labelSmoothing;
    @Option(names = "--d-filters", defaultValue = "64", description = "The discriminator's first width, doubled three times (default ${DEFAULT-VALUE}, the paper's).") int dFilters;
    @Option(names = "--no-spectral-norm", description = "No spectral normalization in the discriminator (the original's model has none).") boolean noSpectralNorm;
    @Option(names = "--filters", defaultValue = "48", description = "Base filters of a fresh generator (default ${DEFAULT-VALUE}).") int filters;
    @Option(names = "--levels", defaultValue = "5", description = "Levels of a fresh generator (default ${DEFAULT-VALUE}).") int levels;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the discriminator, the split and the orders (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--max-blocks-per-epoch", defaultValue = "0", description = "Use only this many blocks per epoch (0 = all).") int maxBlocks;
    @Option(names = "--resume", description = "Continue the run in --out where it stopped (same options).") boolean resume;
    @Option(names = "--device", description = "Backend: cuda, cpu, reference, checked (a slow memory-checking test device) or auto (default: cuda when available, else the fastest CPU backend).") String device;

    @Override
    public Integer call() {
        GanRequest r = new GanRequest(data, subjects, valSubjects, valFraction, valBlocks, initGenerator, filters, levels, block, epochs,
                advWeight, lrG, lrD, dEpochs, dBatch, labelSmoothing, dFilters, !noSpectralNorm, seed, maxBlocks, resume, out);
        Invocation inv = Invocation.of(spec);
        var be = DeviceOption.pick(device);
        GanTrainer.Result res = GanTrainer.run(r, be, new ConsoleProgress());
        Path html = RunReport.writeForRun(out, Provenance.of(inv.commandLine(), be.name(), inv.started()));
        System.out.printf("train-gan: wrote %s (the generator, for predict), %s, %s and %s%n", res.best(), res.discriminator(),
                out.resolve(GanTrainer.HISTORY), out.resolve(GanTrainer.PLOT));
        System.out.println("train-gan: report (open in a browser): " + html);
        return 0;
    }
}
