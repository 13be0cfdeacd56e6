package dev.deepanat.nifti;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.deepanat.common.UserError;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Parity with nibabel on every NIfTI file that nibabel's and dipy's Debian packages ship: the files are read from
 * the installed package folders, the expected summaries come from golden/nifti/packaged.json (make_golden.py).
 */
class NiftiPackagedDataParityTest {
    private static final JsonObject GOLDEN = NiftiGolden.json(NiftiGolden.dir().resolve("packaged.json")).getAsJsonObject();

    private static Path root(String name) {
        Path root = Path.of(GOLDEN.getAsJsonObject("roots").get(name).getAsString());
        if (!Files.isDirectory(root))
            fail(root + " is missing: the NIfTI parity tests read nibabel's and dipy's test data; "
                    + "run: apt-get install python3-nibabel python3-dipy");
        return root;
    }

    @TestFactory
    List<DynamicTest> everyPackagedFileMatchesNibabel() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement el : GOLDEN.getAsJsonArray("entries")) {
            JsonObject g = el.getAsJsonObject();
            String label = g.get("root").getAsString() + "/" + g.get("file").getAsString();
            String kind = g.get("kind").getAsString();
            tests.add(DynamicTest.dynamicTest(label + " (" + kind + ")", () -> check(g, label, kind)));
        }
        return tests;
    }

    private static void check(JsonObject g, String label, String kind) {
        Path file = root(g.get("root").getAsString()).resolve(g.get("file").getAsString());
        assertTrue(Files.exists(file), file + " listed in packaged.json is not installed; re-run make_golden.py?");
        switch (kind) {
            case "data" -> {
                NiftiImage img = Nifti.read(file);
                assertEquals(g.get("version").getAsInt(), img.header().version(), label + ": version");
                assertEquals(g.get("big_endian").getAsBoolean(), img.header().byteOrder() == java.nio.ByteOrder.BIG_ENDIAN, label + ": byte order");
                assertEquals(g.get("datatype").getAsInt(), img.header().datatypeCode(), label + ": datatype");
                NiftiGolden.assertAffine(NiftiGolden.matrix(g.getAsJsonArray("qform")), img.header().qformMatrix(), 1e-5, label + ": qform");
                NiftiGolden.assertAffine(NiftiGolden.matrix(g.getAsJsonArray("sform")), img.header().sformMatrix(), 1e-5, label + ": sform");
                NiftiGolden.assertMatches(g, img, label);
            }
            case "header_only" -> {
                // nibabel ships the header without its .img: header and affine must match, reading data must
                // fail with a message naming the missing .img.
                NiftiHeader h = Nifti.readHeader(file);
                assertEquals(java.util.Arrays.toString(NiftiGolden.longs(g.getAsJsonArray("shape"))), java.util.Arrays.toString(h.shape()));
                NiftiGolden.assertAffine(NiftiGolden.matrix(g.getAsJsonArray("affine")), h.affine(), 1e-5, label + ": affine");
                UserError e = assertThrows(UserError.class, () -> Nifti.read(file));
                assertTrue(e.getMessage().contains(".img") && e.getMessage().contains("not found"), e.getMessage());
            }
            case "not_nifti" -> {
                UserError e = assertThrows(UserError.class, () -> Nifti.read(file));
                assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("not a NIfTI"), e.getMessage());
            }
            case "unsupported" -> {
                UserError e = assertThrows(UserError.class, () -> Nifti.read(file));
                assertTrue(e.getMessage().contains("unsupported datatype"), e.getMessage());
            }
            default -> fail("unknown golden kind " + kind);
        }
    }

    @Test
    void goldenCoversBothPackagesAndBothVersions() {
        int nib = 0, dipy = 0, v2 = 0;
        for (JsonElement el : GOLDEN.getAsJsonArray("entries")) {
            JsonObject g = el.getAsJsonObject();
            if (!g.get("kind").getAsString().equals("data")) continue;
            if (g.get("root").getAsString().equals("nibabel")) nib++; else dipy++;
            if (g.get("version").getAsInt() == 2) v2++;
        }
        assertTrue(nib >= 5 && dipy >= 5 && v2 >= 1, "nibabel " + nib + ", dipy " + dipy + ", NIfTI-2 " + v2);
    }
}
