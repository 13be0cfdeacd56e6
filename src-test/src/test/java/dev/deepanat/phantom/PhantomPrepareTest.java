package dev.deepanat.phantom;

import dev.deepanat.diffusion.FitMethod;
import dev.deepanat.diffusion.OptimalDirections;
import dev.deepanat.diffusion.PrepareRequest;
import dev.deepanat.diffusion.PreparePipeline;
import dev.deepanat.diffusion.ShellChoice;
import dev.deepanat.nifti.Nifti;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** prepare on noise-free phantom data recovers the diffusivities the phantom was built with, and the DSM6 DWIs they imply. */
class PhantomPrepareTest {
    @TempDir Path dir;

    @Test
    void noiseFreeFitRecoversGroundTruthDiffusivities() {
        PhantomSubject s = BrainPhantom.generate(new PhantomSpec(1, 40, 2, 30, 3, false, false), 0);
        PhantomWriter.write(s, dir);
        Path d = dir.resolve("sub-01");
        PreparePipeline.run(new PrepareRequest(d.resolve("sub-01_dwi.nii.gz"), d.resolve("sub-01_dwi.bval"),
                d.resolve("sub-01_dwi.bvec"), d.resolve("sub-01_mask.nii.gz"), "sub-01", dir.resolve("prep"),
                ShellChoice.parse("1000"), 50, FitMethod.WLS, 2, null));
        Path p = dir.resolve("prep");
        float[] l1 = Nifti.read(p.resolve("sub-01_diff_dtiL1.nii.gz")).data();
        float[] l2 = Nifti.read(p.resolve("sub-01_diff_dtiL2.nii.gz")).data();
        float[] l3 = Nifti.read(p.resolve("sub-01_diff_dtiL3.nii.gz")).data();
        float[] md = Nifti.read(p.resolve("sub-01_diff_dtiMD.nii.gz")).data();
        float[] b0 = Nifti.read(p.resolve("sub-01_diff_meanb0.nii.gz")).data();
        float[][] syn = new float[6][];
        for (int k = 0; k < 6; k++) syn[k] = Nifti.read(p.resolve("sub-01_diff_dtiDwi" + (k + 1) + ".nii.gz")).data();
        double[] dsm6 = OptimalDirections.dsm6();
        SubjectParams t = s.params();
        float[][] f = s.truth().fractions();
        int wm = 0, gm = 0, csf = 0;
        for (int v = 0; v < l1.length; v++) {
            if (!s.mask()[v]) continue;
            if (f[Tissue.WM.ordinal()][v] == 1f && s.truth().fibreCount()[v] == 1) {
                close(l1[v], t.wmAxial(), "WM L1", v);
                close(l2[v], t.wmRadial(), "WM L2", v);
                close(l3[v], t.wmRadial(), "WM L3", v);
                // Synthesized DWIs: S0·exp(−b gᵀDg) along DSM6 with the true zeppelin, b = 1000; S0 = meanb0 here.
                float[] fd = s.truth().fibreDirs();
                for (int k = 0; k < 6; k++) {
                    double cos = dsm6[3 * k] * fd[6 * v] + dsm6[3 * k + 1] * fd[6 * v + 1] + dsm6[3 * k + 2] * fd[6 * v + 2];
                    double want = b0[v] * Math.exp(-1000 * (t.wmRadial() + (t.wmAxial() - t.wmRadial()) * cos * cos));
                    close(syn[k][v], want, "dtiDwi" + (k + 1), v);
                }
                wm++;
            } else if (f[Tissue.CORTICAL_GM.ordinal()][v] == 1f) {
                close(md[v], t.gmDiffusivity(), "GM MD", v);
                gm++;
            } else if (f[Tissue.CSF.ordinal()][v] == 1f) {
                close(md[v], t.csfDiffusivity(), "CSF MD", v);
                csf++;
            }
        }
        assertTrue(wm > 500 && gm > 50 && csf > 20, "pure voxels: WM " + wm + " GM " + gm + " CSF " + csf);
    }

    private static void close(double got, double want, String what, int v) {
        assertTrue(Math.abs(got - want) <= 1e-3 * want, what + " at voxel " + v + ": " + got + " vs " + want);
    }
}
