package dev.deepanat.app;

import dev.deepanat.diffusion.FitMethod;
import dev.deepanat.diffusion.PrepareRequest;
import dev.deepanat.diffusion.PrepareSummary;
import dev.deepanat.diffusion.PreparePipeline;
import dev.deepanat.diffusion.ShellChoice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code deepanat prepare}: diffusion preprocessing into the DeepAnat input volumes. */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = "Fit diffusion tensors and write the 11 DeepAnat input volumes (+ FA, MD, V1) for one subject.")
public final class PrepareCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dwi", required = true, description = "4-D DWI series (.nii or .nii.gz)") Path dwi;
    @Option(names = "--bval", required = true, description = "FSL bvals file") Path bval;
    @Option(names = "--bvec", required = true, description = "FSL bvecs file (3 rows or 3 columns)") Path bvec;
    @Option(names = "--mask", description = "brain mask; default: median-Otsu on the mean b=0, written as <sj>_mask") Path mask;
    @Option(names = "--subject-id", required = true, description = "prefix of the output names, e.g. sub-01") String subject;
    @Option(names = "--out", required = true, description = "output folder") Path out;
    @Option(names = "--shell", defaultValue = "1000", description = "b-value of the shell to fit (±100), or 'all'; default ${DEFAULT-VALUE}") String shell;
    @Option(names = "--b0-threshold", defaultValue = "50", description = "b-values <= this count as b=0; default ${DEFAULT-VALUE}") double b0Threshold;
    @Option(names = "--fit", defaultValue = "wls", description = "wls or ols; default ${DEFAULT-VALUE}") String fit;
    @Option(names = "--threads", defaultValue = "0", description = "worker threads; 0 = number of cores") int threads;
    @Option(names = "--t1w", description = "a T1w on the DWI's grid, copied in as <sj>_t1w for training") Path t1w;

    @Override
    public Integer call() {
        PrepareRequest req = new PrepareRequest(dwi, bval, bvec, mask, subject, out, ShellChoice.parse(shell), b0Threshold,
                FitMethod.parse(fit), threads, t1w);
        PrepareSummary s = PreparePipeline.run(req);
        spec.commandLine().getOut().printf(Locale.ROOT,
                "prepare %s: %d voxels in the %s mask; fit %d b=0 + %d DWI of %d volumes (%s), DWIs synthesized at b=%d; "
                        + "%d files in %s; %.1f s (fit %.1f s)%n",
                subject, s.maskVoxels(), s.maskComputed() ? "computed" : "given", s.b0Volumes(), s.dwiVolumes(),
                s.totalVolumes(), req.method().name(), (long) s.synthesisB(), s.written().size(), out, s.seconds(), s.fitSeconds());
        return 0;
    }
}
