package dev.deepanat.diffusion;

import dev.deepanat.common.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradientFilesTest {
    @TempDir Path dir;

    private Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void readsThreeRowsAndThreeColumnsWithAnyWhitespace() throws Exception {
        Path bval = file("bval", "0\t1000  1000\n 2000\r\n");
        Path rows = file("rows", "0 1 0 0\n0 0 1 0\n0 0 0 1.0001\n");
        Path cols = file("cols", "0 0 0\n1\t0 0\n0 1 0\n\n0 0 1.0001\n");
        GradientTable a = GradientFiles.read(bval, rows), b = GradientFiles.read(bval, cols);
        assertArrayEquals(new double[]{0, 1000, 1000, 2000}, a.bvals());
        assertArrayEquals(a.bvecs(), b.bvecs());
        assertEquals(1.0001, a.gz(3), 1e-12, "rounded vectors are used as given, as dipy does");
        UserError e = assertThrows(UserError.class, () -> GradientFiles.read(bval, file("long", "0 1 0 0\n0 0 1 0\n0 0 0 2\n")));
        assertTrue(e.getMessage().contains("long") && e.getMessage().contains("unit"), e.getMessage());
    }

    @Test
    void nanVectorIsAcceptedOnlyForB0() throws Exception {
        Path bval = file("bval", "0 1000");
        GradientTable g = GradientFiles.read(bval, file("v", "nan nan nan\n1 0 0\n"));
        assertEquals(0, g.gx(0));
        UserError e = assertThrows(UserError.class, () -> GradientFiles.read(file("bval2", "1000 1000"), file("v2", "nan nan nan\n1 0 0\n")));
        assertTrue(e.getMessage().contains("v2"));
    }

    @Test
    void errorsNameTheFileAndTheProblem() throws Exception {
        Path bval = file("bval", "0 1000 1000");
        UserError count = assertThrows(UserError.class, () -> GradientFiles.read(bval, file("bvec", "0 1\n0 0\n0 0\n")));
        assertTrue(count.getMessage().startsWith(dir.resolve("bvec").toString()), count.getMessage());
        UserError junk = assertThrows(UserError.class, () -> GradientFiles.read(file("bad", "0 1000 abc"), file("v", "0 0 0\n1 0 0\n0 1 0\n")));
        assertTrue(junk.getMessage().contains("bad") && junk.getMessage().contains("'abc'"), junk.getMessage());
        UserError missing = assertThrows(UserError.class, () -> GradientFiles.read(dir.resolve("nope"), bval));
        assertTrue(missing.getMessage().contains("nope") && missing.getMessage().contains("no such file"));
    }

    @Test
    void shellSelectionUsesToleranceAndThreshold() {
        GradientTable g = new GradientTable(new double[]{0, 40, 1000, 1090, 905, 2000, 1000, 1000, 1000},
                new double[]{0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0.6, 0.8, 0, 0.8, 0, 0.6, 0, 0.6, 0.8});
        VolumeSelection s = VolumeSelection.select(g, 50, ShellChoice.parse("1000"), "bval");
        assertArrayEquals(new int[]{0, 1}, s.b0Indices());
        assertArrayEquals(new int[]{2, 3, 4, 6, 7, 8}, s.dwiIndices());
        VolumeSelection all = VolumeSelection.select(g, 50, ShellChoice.parse("all"), "bval");
        assertEquals(9, all.fitIndices().length);
        UserError none = assertThrows(UserError.class, () -> VolumeSelection.select(g, 50, ShellChoice.parse("3000"), "bval"));
        assertTrue(none.getMessage().contains("shells present: 0, 900, 1000, 1100, 2000"), none.getMessage());
    }
}
