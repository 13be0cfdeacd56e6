package dev.deepanat.phantom;

import dev.deepanat.app.Main;
import dev.deepanat.diffusion.GradientFiles;
import dev.deepanat.diffusion.GradientTable;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrainPhantomTest {
    @TempDir Path dir;

    @Test
    void sameSeedSameSubjectOtherSeedOtherSubject() {
        PhantomSpec spec = new PhantomSpec(2, 24, 5, 12, 2, true, true);
        PhantomSubject a = BrainPhantom.generate(spec, 1), b = BrainPhantom.generate(spec, 1);
        assertArrayEquals(a.dwi(), b.dwi());
        assertArrayEquals(a.t1w(), b.t1w());
        assertArrayEquals(a.gradients().bvecs(), b.gradients().bvecs());
        PhantomSubject other = BrainPhantom.generate(spec, 0);
        assertFalse(java.util.Arrays.equals(a.t1w(), other.t1w()), "subjects differ");
        assertFalse(java.util.Arrays.equals(a.dwi(), BrainPhantom.generate(new PhantomSpec(2, 24, 6, 12, 2, true, true), 1).dwi()));
    }

    @Test
    void everyTissueClassIsPresentAndT1OrdersWmGmCsf() {
        PhantomSubject s = BrainPhantom.generate(new PhantomSpec(1, 48, 1, 12, 2, false, true), 0);
        double[] sum = new double[Tissue.COUNT];
        int[] count = new int[Tissue.COUNT];
        for (int v = 0; v < s.mask().length; v++) {
            if (!s.mask()[v]) continue;
            for (int t = 0; t < Tissue.COUNT; t++)
                if (s.truth().fractions()[t][v] >= 0.99f) { sum[t] += s.t1w()[v]; count[t]++; }
        }
        for (Tissue t : Tissue.values()) assertTrue(count[t.ordinal()] > 50, t + " has " + count[t.ordinal()] + " pure voxels");
        double wm = sum[0] / count[0], gm = sum[1] / count[1], dgm = sum[2] / count[2], csf = sum[3] / count[3];
        assertTrue(wm > dgm && dgm > gm && gm > csf, "T1 means WM " + wm + " deep GM " + dgm + " GM " + gm + " CSF " + csf);
        int crossing = 0;
        for (byte c : s.truth().fibreCount()) if (c == 2) crossing++;
        assertTrue(crossing > 20, "crossing-fibre voxels: " + crossing);
    }

    @Test
    void cliWritesSubjectsWhoseGradientsMatchTheFourthDimension() throws Exception {
        int rc = Main.execute("phantom", "--out", dir.toString(), "--subjects", "2", "--size", "20", "--directions", "31",
                "--b0s", "3", "--b2000", "--seed", "9");
        assertEquals(0, rc);
        for (String sj : new String[]{"sub-01", "sub-02"}) {
            Path d = dir.resolve(sj);
            NiftiHeader h = Nifti.readHeader(d.resolve(sj + "_dwi.nii.gz"));
            GradientTable g = GradientFiles.read(d.resolve(sj + "_dwi.bval"), d.resolve(sj + "_dwi.bvec"));
            assertEquals(h.dim()[4], g.count());
            assertEquals(3 + 2 * 31, g.count());
            long b0 = java.util.Arrays.stream(g.bvals()).filter(b -> b == 0).count();
            long b2k = java.util.Arrays.stream(g.bvals()).filter(b -> b == 2000).count();
            assertEquals(3, b0);
            assertEquals(31, b2k);
            assertTrue(Files.exists(d.resolve(sj + "_t1w.nii.gz")) && Files.exists(d.resolve(sj + "_mask.nii.gz")));
            double[][] a = Nifti.read(d.resolve(sj + "_t1w.nii.gz")).affine();
            assertEquals(1.5 * 96 / 20, a[0][0], 1e-5, "isotropic RAS voxels");
            assertEquals(-(20 - 1) / 2.0 * a[0][0], a[0][3], 1e-4, "grid centred on the origin");
        }
    }

    @Test
    void directionsAreSpreadOnTheSphere() {
        GradientTable g = GradientScheme.build(1, 30, false, 4);
        double maxDot = 0;
        for (int i = 1; i < g.count(); i++)
            for (int j = i + 1; j < g.count(); j++)
                maxDot = Math.max(maxDot, Math.abs(g.gx(i) * g.gx(j) + g.gy(i) * g.gy(j) + g.gz(i) * g.gz(j)));
        assertTrue(maxDot < Math.cos(Math.toRadians(15)), "closest pair " + Math.toDegrees(Math.acos(maxDot)) + "°");
    }
}
