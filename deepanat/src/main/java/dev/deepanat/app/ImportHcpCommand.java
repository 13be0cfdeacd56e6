package dev.deepanat.app;

import dev.deepanat.data.HcpImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code deepanat import-hcp}: an HCP subject folder into the training layout. */
@Command(name = "import-hcp", mixinStandardHelpOptions = true,
        description = "Prepare an HCP subject (T1w/Diffusion/data.nii.gz, bvals, bvecs, nodif_brain_mask.nii.gz; "
                + "T1w/T1w_acpc_dc_restore_1.25.nii.gz) into DATA/<sj>: <sj>_diff_*, <sj>_mask, <sj>_t1w.")
public final class ImportHcpCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SUBJECT_DIR", description = "the HCP subject folder (e.g. 100307)") Path subjectDir;
    @Option(names = "--out", required = true, description = "the subject folder to write, DATA/<sj>; its name is the subject id") Path out;
    @Option(names = "--threads", defaultValue = "0", description = "worker threads; 0 = number of cores") int threads;

    @Override
    public Integer call() {
        HcpImport.Result r = HcpImport.run(subjectDir, out, threads);
        StringBuilder shells = new StringBuilder();
        r.shells().forEach((b, n) -> shells.append(shells.isEmpty() ? "" : ", ").append("b=").append(b).append(" ×").append(n));
        spec.commandLine().getOut().printf(Locale.ROOT, "import-hcp %s: shells %s; fit %d b=0 + %d DWI (b=1000 shell); %d voxels in the mask; "
                        + "%d files in %s; %.1f s%n", out.getFileName(), shells, r.prepare().b0Volumes(), r.prepare().dwiVolumes(),
                r.prepare().maskVoxels(), r.prepare().written().size(), out, r.prepare().seconds());
        return 0;
    }
}
