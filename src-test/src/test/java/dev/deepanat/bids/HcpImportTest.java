package dev.deepanat.bids;

import dev.deepanat.data.InputChannels;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code import-hcp} on the phantom written in the HCP layout. */
class HcpImportTest {
    @TempDir Path dir;

    @Test
    void importsThePhantomInTheHcpLayoutIntoTheTrainingLayout() throws IOException {
        Path hcp = dir.resolve("hcp");
        String[] r = Cli.run("phantom", "--layout", "hcp", "--out", hcp.toString(), "--subjects", "1", "--size", "24",
                "--directions", "12", "--b0s", "2", "--seed", "4");
        assertEquals("0", r[0], r[2]);
        Path sdir = hcp.resolve("100001");
        String bvals = Files.readString(sdir.resolve("T1w/Diffusion/bvals"));
        assertTrue(bvals.startsWith("5 ") || bvals.contains(" 5 "), "b=0 written as 5: " + bvals);
        assertFalse(bvals.matches("(?s).*\\b1000\\b.*\\b1000\\b.*\\b1000\\b.*"), "the shells are jittered: " + bvals);
        Path out = dir.resolve("data/100001");
        r = Cli.run("import-hcp", sdir.toString(), "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("shells b=0 ×2, b=1000 ×12, b=2000 ×12"), r[1]);
        assertTrue(r[1].contains("fit 2 b=0 + 12 DWI"), r[1]);
        for (int c = 0; c < InputChannels.COUNT; c++) assertTrue(Files.exists(out.resolve(InputChannels.fileName("100001", c))));
        assertArrayEquals(Nifti.read(sdir.resolve("T1w/Diffusion/nodif_brain_mask.nii.gz")).data(), Nifti.read(out.resolve("100001_mask.nii.gz")).data());
        assertArrayEquals(Nifti.read(sdir.resolve("T1w/T1w_acpc_dc_restore_1.25.nii.gz")).data(), Nifti.read(out.resolve("100001_t1w.nii.gz")).data());
        float[] fa = Nifti.read(out.resolve("100001_diff_dtiFA.nii.gz")).data(), m = Nifti.read(out.resolve("100001_mask.nii.gz")).data();
        double s = 0, n = 0;
        for (int i = 0; i < fa.length; i++) if (m[i] > 0.5f) { s += fa[i]; n++; }
        assertTrue(s / n > 0.05 && s / n < 0.9, "mean FA " + s / n);

        Files.delete(sdir.resolve("T1w/Diffusion/bvecs"));
        Path out2 = dir.resolve("data/bad");
        r = Cli.run("import-hcp", sdir.toString(), "--out", out2.toString());
        assertEquals("2", r[0]);
        assertEquals(1, r[2].strip().split("\n").length, r[2]);
        assertTrue(r[2].contains("T1w/Diffusion/bvecs: missing"), r[2]);
        assertFalse(Files.exists(out2));
    }
}
