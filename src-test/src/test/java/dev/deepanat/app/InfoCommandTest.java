package dev.deepanat.app;

import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiHeader;
import dev.deepanat.nifti.NiftiImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCommandTest {
    @TempDir
    Path tmp;

    static String[] run(String... args) {
        return dev.deepanat.testing.Cli.run(args);
    }

    private Path sample() {
        int[] d = {5, 4, 3, 2};
        double[][] aff = {{-2, 0, 0, 90}, {0, 2, 0, -126}, {0, 0, 2, -72}, {0, 0, 0, 1}};
        NiftiHeader h = new NiftiHeader.Builder().dims(d).sform(4, aff).qform(1, aff).xyztUnits(10).descrip("info test").build();
        Path f = tmp.resolve("s.nii.gz");
        Nifti.write(f, NiftiImage.of(h, d, new float[5 * 4 * 3 * 2]));
        return f;
    }

    @Test
    void printsTheHeader() {
        Path f = sample();
        String[] r = run("info", f.toString());
        assertEquals("0", r[0], r[2]);
        String out = r[1];
        for (String want : new String[] {"filename        " + f, "NIFTI-1+", "little-endian", "dim0            4",
                "shape           5 x 4 x 3 x 2", "datatype        float32 (16)", "bitpix          32", "scl_slope       1",
                "vox_offset      352", "space: mm, time: sec", "descrip         'info test'", "qform_code      1 (scanner)",
                "sform_code      4 (mni)", "sto_xyz:1          -2.000000     0.000000     0.000000    90.000000",
                "qto_xyz:2           0.000000     2.000000     0.000000  -126.000000", "cal_min", "intent_code     0 (none)",
                "data_check      ok (480 bytes of voxel data present)"})
            assertTrue(out.contains(want), "missing '" + want + "' in:\n" + out);
    }

    @Test
    void corruptFileIsOneLineExitTwo() throws IOException {
        Path f = tmp.resolve("bad.nii");
        Files.write(f, Arrays.copyOf(Files.readAllBytes(sample()), 100)); // gzip bytes under a .nii name, cut short
        String[] r = run("info", f.toString());
        assertEquals("2", r[0]);
        assertEquals("", r[1]);
        String err = r[2].strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("deepanat info: " + f + ": "), err);
    }

    @Test
    void truncatedDataIsCaughtUnlessHeaderOnly() throws IOException {
        Path f = tmp.resolve("short.nii");
        byte[] whole;
        try (var gz = new java.util.zip.GZIPInputStream(Files.newInputStream(sample()))) {
            whole = gz.readAllBytes();
        }
        Files.write(f, Arrays.copyOf(whole, whole.length - 4));
        String[] r = run("info", f.toString());
        assertEquals("2", r[0]);
        assertEquals("", r[1], "nothing printed for a file that fails the check");
        assertEquals("deepanat info: " + f + ": data truncated (header says 480 bytes of voxel data, file holds 476)", r[2].strip());
        r = run("info", "--header-only", f.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("shape           5 x 4 x 3 x 2") && !r[1].contains("data_check"), r[1]);
    }

    @Test
    void missingFileIsExitTwo() {
        String[] r = run("info", tmp.resolve("absent.nii").toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].strip().endsWith("absent.nii: header file not found"), r[2]);
    }
}
