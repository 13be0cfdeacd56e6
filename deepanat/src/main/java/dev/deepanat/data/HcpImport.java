package dev.deepanat.data;

import dev.deepanat.common.UserError;
import dev.deepanat.diffusion.FitMethod;
import dev.deepanat.diffusion.GradientFiles;
import dev.deepanat.diffusion.GradientTable;
import dev.deepanat.diffusion.PreparePipeline;
import dev.deepanat.diffusion.PrepareRequest;
import dev.deepanat.diffusion.PrepareSummary;
import dev.deepanat.diffusion.ShellChoice;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code deepanat import-hcp}: an HCP subject (the minimally preprocessed release) into the training layout. Reads
 * {@code T1w/Diffusion/{data.nii.gz,bvals,bvecs,nodif_brain_mask.nii.gz}} and {@code T1w/T1w_acpc_dc_restore_1.25.nii.gz}
 * (the T1w on the diffusion grid). HCP's b-values are inexact (about 5 for b=0, 990-3010 for the shells): each is
 * assigned to its shell by rounding to the nearest 100 (b <= 50 is b=0), the tensor is fitted on the b=0 volumes and
 * the b=1000 shell as DeepAnat does (with the measured b-values, which are the more exact), and the subject folder
 * gets {@code <sj>_diff_*}, {@code <sj>_mask} (HCP's nodif_brain_mask) and {@code <sj>_t1w}.
 */
public final class HcpImport {
    public static final double B0_MAX = 50;

    private HcpImport() {}

    public record Result(PrepareSummary prepare, Map<Long, Integer> shells) {}

    public static Result run(Path subjectDir, Path out, int threads) {
        if (!Files.isDirectory(subjectDir)) throw new UserError(subjectDir + ": no such HCP subject folder");
        Path diff = subjectDir.resolve("T1w/Diffusion");
        Path data = need(diff.resolve("data.nii.gz")), bvals = need(diff.resolve("bvals")), bvecs = need(diff.resolve("bvecs"));
        Path mask = need(diff.resolve("nodif_brain_mask.nii.gz")), t1w = need(subjectDir.resolve("T1w/T1w_acpc_dc_restore_1.25.nii.gz"));
        Map<Long, Integer> shells = shells(GradientFiles.read(bvals, bvecs));
        if (!shells.containsKey(1000L)) throw new UserError(bvals + ": no b=1000 shell (shells " + shells.keySet() + ")");
        String sj = SubjectLayout.of(out).id();
        PrepareSummary s = PreparePipeline.run(new PrepareRequest(data, bvals, bvecs, mask, sj, out, ShellChoice.parse("1000"),
                B0_MAX, FitMethod.WLS, threads, t1w));
        return new Result(s, shells);
    }

    /** Volumes per shell, b-values rounded to the nearest 100 and b <= 50 counted as 0. */
    public static Map<Long, Integer> shells(GradientTable g) {
        Map<Long, Integer> m = new TreeMap<>();
        for (double b : g.bvals()) m.merge(b <= B0_MAX ? 0L : Math.round(b / 100) * 100, 1, Integer::sum);
        return m;
    }

    private static Path need(Path f) {
        if (!Files.isRegularFile(f)) throw new UserError(f + ": missing; not an HCP subject folder (T1w/Diffusion/data.nii.gz, bvals, bvecs, "
                + "nodif_brain_mask.nii.gz and T1w/T1w_acpc_dc_restore_1.25.nii.gz expected)");
        return f;
    }
}
