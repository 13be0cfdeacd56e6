package dev.deepanat.nifti;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.deepanat.common.UserError;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Small images written by nibabel (committed in golden/nifti/nibabel_written/, with every value in
 * nibabel_written.json): scaled int16 in both byte orders, NIfTI-2, .hdr/.img pairs (also gzipped), 2D, trailing 1s.
 */
class NiftiNibabelWrittenTest {
    @TestFactory
    List<DynamicTest> everyNibabelWrittenImageReadsAsNibabelReadsIt() {
        Path dir = NiftiGolden.dir().resolve("nibabel_written");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement el : NiftiGolden.json(NiftiGolden.dir().resolve("nibabel_written.json")).getAsJsonArray()) {
            JsonObject g = el.getAsJsonObject();
            String name = g.get("file").getAsString();
            tests.add(DynamicTest.dynamicTest(name + ": " + g.get("note").getAsString(), () -> {
                Path file = dir.resolve(name);
                if (g.get("kind").getAsString().equals("unsupported")) {
                    UserError e = assertThrows(UserError.class, () -> Nifti.read(file));
                    assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("unsupported datatype complex64"), e.getMessage());
                    return;
                }
                NiftiImage img = Nifti.read(file);
                NiftiHeader h = img.header();
                assertEquals(g.get("version").getAsInt(), h.version(), "version");
                assertEquals(g.get("magic").getAsString(), h.magic(), "magic");
                assertEquals(g.get("big_endian").getAsBoolean(), h.byteOrder() == ByteOrder.BIG_ENDIAN, "byte order");
                // nibabel zeroes invalid codes on load; we keep the raw code but read it the same way.
                assertEquals(g.get("qform_code").getAsInt(), Affines.validCode(h.qformCode()), "qform_code");
                assertEquals(g.get("sform_code").getAsInt(), Affines.validCode(h.sformCode()), "sform_code");
                assertEquals(g.get("xyzt_units").getAsInt(), h.xyztUnits(), "xyzt_units");
                assertEquals(g.get("descrip").getAsString(), h.descrip(), "descrip");
                double slope = g.get("slope").getAsDouble();
                if (slope != 1) assertEquals(slope, h.sclSlope(), 1e-7 * Math.abs(slope), "scl_slope");
                NiftiGolden.assertAffine(NiftiGolden.matrix(g.getAsJsonArray("qform")), h.qformMatrix(), 1e-5, "qform");
                NiftiGolden.assertAffine(NiftiGolden.matrix(g.getAsJsonArray("sform")), h.sformMatrix(), 1e-5, "sform");
                NiftiGolden.assertMatches(g, img, name);
                if (name.startsWith("int16_scaled")) assertTrue(h.sclSlope() != 1, "the golden must exercise scl_slope");
            }));
        }
        return tests;
    }

    @org.junit.jupiter.api.Test
    void dimsDropTrailingOnesAndPadTo3D() {
        Path dir = NiftiGolden.dir().resolve("nibabel_written");
        NiftiImage trailing = Nifti.read(dir.resolve("int8_trailing1.nii"));
        assertEquals("[5, 4, 3, 1]", java.util.Arrays.toString(trailing.header().shape()));
        assertEquals("[5, 4, 3]", java.util.Arrays.toString(trailing.dims()));
        NiftiImage flat = Nifti.read(dir.resolve("uint16_2d.nii"));
        assertEquals("[9, 4, 1]", java.util.Arrays.toString(flat.dims()));
        assertEquals(flat.data()[9 * 3 + 8], flat.get(8, 3, 0), 0);
    }
}
