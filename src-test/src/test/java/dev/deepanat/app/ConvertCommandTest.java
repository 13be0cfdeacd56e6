package dev.deepanat.app;

import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiDatatype;
import dev.deepanat.nifti.NiftiHeader;
import dev.deepanat.nifti.NiftiImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvertCommandTest {
    @TempDir
    Path tmp;

    private Path source() {
        int[] d = {6, 5, 4};
        float[] v = new float[6 * 5 * 4];
        for (int i = 0; i < v.length; i++) v[i] = i * 2.25f - 40;
        double[][] aff = {{0, 0, 1.5, -30}, {-2, 0, 0, 40}, {0, 2.5, 0, -20}, {0, 0, 0, 1}};
        NiftiHeader h = new NiftiHeader.Builder().dims(d).sform(2, aff).qform(1, aff).descrip("convert me").build();
        Path f = tmp.resolve("in.nii");
        Nifti.write(f, NiftiImage.of(h, d, v));
        return f;
    }

    @Test
    void convertsToInt16KeepingGeometry() {
        Path in = source(), out = tmp.resolve("out.nii.gz");
        String[] r = InfoCommandTest.run("convert", in.toString(), out.toString(), "--datatype", "int16");
        assertEquals("0", r[0], r[2]);
        NiftiImage a = Nifti.read(in), b = Nifti.read(out);
        assertEquals(NiftiDatatype.INT16, b.header().datatype());
        assertEquals("convert me", b.header().descrip());
        assertArrayEquals(a.affine()[0], b.affine()[0], 0);
        assertArrayEquals(a.header().qformMatrix()[1], b.header().qformMatrix()[1], 1e-6);
        for (int i = 0; i < a.data().length; i++) assertEquals(Math.rint(a.data()[i]), b.data()[i], 0, "voxel " + i);
    }

    @Test
    void defaultIsFloat32AndNifti2OnRequest() {
        Path in = source(), out = tmp.resolve("out2.nii");
        String[] r = InfoCommandTest.run("convert", "--nifti2", in.toString(), out.toString());
        assertEquals("0", r[0], r[2]);
        NiftiImage b = Nifti.read(out);
        assertEquals(2, b.header().version());
        assertEquals(NiftiDatatype.FLOAT32, b.header().datatype());
        assertArrayEquals(Nifti.read(in).data(), b.data());
    }

    @Test
    void badInputsExitTwoWithoutOutput() throws IOException {
        Path out = tmp.resolve("never.nii");
        String[] r = InfoCommandTest.run("convert", tmp.resolve("missing.nii").toString(), out.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("missing.nii") && r[2].strip().lines().count() == 1, r[2]);
        r = InfoCommandTest.run("convert", source().toString(), out.toString(), "--datatype", "complex64");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("unknown type"), r[2]);
        assertFalse(Files.exists(out));
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }
}
