package dev.deepanat.nifti;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.GsonBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What we write reads back identically with our reader, and (checked once with nibabel by make_golden.py
 * --check-java-written, verdict committed in java_written_check.json) with nibabel. The writer must keep producing
 * exactly the bytes nibabel checked, so that verdict stays true.
 */
class NiftiRoundTripTest {
    /** One written file: name, on-disk type, NIfTI version, dims, whether the values have fractions. */
    record Case(String file, NiftiDatatype datatype, int version, int[] dims, boolean fractional) {
        NiftiImage image() {
            return NiftiImage.of(NiftiTestImages.geometry(dims), dims, NiftiTestImages.pattern(dims, fractional));
        }

        /** The values an exact reader must return: rounding and clamping applied for integer types. */
        float[] expected() {
            float[] v = NiftiTestImages.pattern(dims, fractional);
            if (datatype == NiftiDatatype.INT16 || datatype == NiftiDatatype.UINT8) {
                double lo = datatype == NiftiDatatype.UINT8 ? 0 : -32768, hi = datatype == NiftiDatatype.UINT8 ? 255 : 32767;
                for (int i = 0; i < v.length; i++) v[i] = (float) Math.min(hi, Math.max(lo, Math.rint(v[i]))) + 0.0f; // + 0.0f: disk integers have no -0
            }
            return v;
        }

        @Override public String toString() { return file; }
    }

    static List<Case> cases() {
        int[] d4 = {9, 8, 7, 2}, d3 = {9, 8, 7};
        return List.of(
                new Case("float32.nii", NiftiDatatype.FLOAT32, 1, d4, true),
                new Case("float32.nii.gz", NiftiDatatype.FLOAT32, 1, d4, true),
                new Case("int16.nii", NiftiDatatype.INT16, 1, d4, false),
                new Case("int16.nii.gz", NiftiDatatype.INT16, 1, d4, false),
                new Case("int16_rounded.nii.gz", NiftiDatatype.INT16, 1, d3, true),
                new Case("uint8.nii", NiftiDatatype.UINT8, 1, d3, false),
                new Case("uint8.nii.gz", NiftiDatatype.UINT8, 1, d3, false),
                new Case("float32_nifti2.nii.gz", NiftiDatatype.FLOAT32, 2, d4, true),
                new Case("int16_nifti2.nii", NiftiDatatype.INT16, 2, d3, false));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void writesAndReadsBackIdentically(Case c, @TempDir Path tmp) {
        Path f = tmp.resolve(c.file());
        NiftiImage src = c.image();
        Nifti.write(f, src, new NiftiWriteOptions(c.datatype(), c.version(), NiftiWriteOptions.DEFAULT_GZIP_LEVEL));
        NiftiImage back = Nifti.read(f);
        NiftiHeader h = back.header(), s = src.header();
        assertArrayEquals(c.expected(), back.data(), c.file() + ": data");
        assertArrayEquals(c.dims(), back.dims(), "dims");
        assertEquals(c.version(), h.version());
        assertEquals(c.datatype(), h.datatype());
        assertEquals(c.datatype().bitpix(), h.bitpix());
        assertEquals(ByteOrder.LITTLE_ENDIAN, h.byteOrder());
        assertEquals(1.0, h.sclSlope());
        assertEquals(0.0, h.sclInter());
        assertEquals(s.qformCode(), h.qformCode());
        assertEquals(s.sformCode(), h.sformCode());
        assertEquals(s.xyztUnits(), h.xyztUnits());
        assertEquals(s.descrip(), h.descrip());
        assertArrayEquals(Arrays.copyOf(s.pixdim(), 5), Arrays.copyOf(h.pixdim(), 5), 1e-6, "pixdim");
        NiftiGolden.assertAffine(NiftiTestImages.affine(), back.affine(), 1e-5, "affine (sform)");
        NiftiGolden.assertAffine(NiftiTestImages.affine(), h.qformMatrix(), 1e-4, "qform");
        assertEquals(0, countTemps(tmp), "no temporary file may remain");
    }

    /** The committed files nibabel checked are what the writer produces today (compared after gunzip). */
    @ParameterizedTest
    @MethodSource("cases")
    void writerStillProducesTheBytesNibabelVerified(Case c, @TempDir Path tmp) throws IOException {
        Path f = tmp.resolve(c.file());
        Nifti.write(f, c.image(), new NiftiWriteOptions(c.datatype(), c.version(), NiftiWriteOptions.DEFAULT_GZIP_LEVEL));
        if (Boolean.getBoolean("deepanat.nifti.regenerate")) regenerate(c, f);
        Path committed = NiftiGolden.dir().resolve("java_written").resolve(c.file());
        assertArrayEquals(inflated(committed), inflated(f), c.file() + " differs from the file nibabel verified; "
                + "if the change is intended, run this test with -Ddeepanat.nifti.regenerate=true, then make_golden.py --check-java-written");
    }

    @Test
    void nibabelReadTheJavaWrittenFilesIdentically() {
        JsonObject check = NiftiGolden.json(NiftiGolden.dir().resolve("java_written_check.json")).getAsJsonObject();
        JsonArray results = check.getAsJsonArray("results");
        assertEquals(cases().size(), results.size(), "every case checked by nibabel");
        for (JsonElement r : results) {
            JsonObject o = r.getAsJsonObject();
            assertTrue(o.get("ok").getAsBoolean(), "nibabel verdict for " + o.get("file").getAsString() + ": " + o);
            assertTrue(o.get("data_identical").getAsBoolean());
        }
    }

    @Test
    void ofCopiesGeometryAndMayDropTheFourthDim() {
        NiftiHeader geo = NiftiTestImages.geometry(9, 8, 7, 2);
        NiftiImage img = NiftiImage.of(geo, new int[] {9, 8, 7}, new float[9 * 8 * 7]);
        assertArrayEquals(new int[] {9, 8, 7}, img.dims());
        assertEquals(3, img.header().dim()[0]);
        assertEquals(NiftiDatatype.FLOAT32, img.header().datatype());
        NiftiGolden.assertAffine(geo.affine(), img.affine(), 0, "affine copied");
        assertEquals(geo.qformCode(), img.header().qformCode());
        assertEquals(geo.descrip(), img.header().descrip());
        NiftiImage img4 = NiftiImage.of(img.header(), new int[] {9, 8, 7, 5}, new float[9 * 8 * 7 * 5]);
        assertArrayEquals(new int[] {9, 8, 7, 5}, img4.dims());
        assertEquals(5, img4.nt());
    }

    @Test
    void getIndexesXFastest() {
        int[] d = {4, 3, 2, 2};
        NiftiImage img = NiftiImage.of(NiftiHeader.defaults(d), d, NiftiTestImages.pattern(d, true));
        assertEquals(((3 * 7 + 2 * 13 + 1 * 29 + 1 * 31) % 200) - 50 + ((3 + 2) % 8) / 8.0, img.get(3, 2, 1, 1), 0);
        assertEquals(img.data()[1 + 4 * (2 + 3 * 1)], img.get(1, 2, 1), 0);
    }

    @Test
    void quaternionsRoundTripTheAffine() {
        double[][] a = NiftiTestImages.affine();
        NiftiHeader h = new NiftiHeader.Builder().qform(1, a).build();
        NiftiGolden.assertAffine(a, h.qformMatrix(), 1e-12, "qform from affine");
        double[][] flipped = Affines.multiply(a, new double[][] {{-1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}});
        NiftiHeader hf = new NiftiHeader.Builder().qform(1, flipped).build();
        assertEquals(-1.0, hf.pixdim()[0], "left-handed frame stored with qfac -1");
        NiftiGolden.assertAffine(flipped, hf.qformMatrix(), 1e-12, "left-handed qform");
    }

    private static void regenerate(Case c, Path written) throws IOException {
        Path dir = NiftiGolden.sourceDir().resolve("java_written");
        Files.createDirectories(dir);
        Files.copy(written, dir.resolve(c.file()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        JsonArray manifest = new JsonArray();
        for (Case k : cases()) {
            JsonObject m = new JsonObject();
            m.addProperty("file", k.file());
            m.addProperty("datatype", k.datatype().lowerName());
            m.addProperty("version", k.version());
            JsonArray dims = new JsonArray();
            for (int d : k.dims()) dims.add(d);
            m.add("shape", dims);
            m.addProperty("fractional", k.fractional());
            manifest.add(m);
        }
        Files.writeString(dir.resolve("manifest.json"), new GsonBuilder().setPrettyPrinting().create().toJson(manifest) + "\n");
    }

    static byte[] inflated(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] all = in.readAllBytes();
            if (all.length > 2 && (all[0] & 0xff) == 0x1f && (all[1] & 0xff) == 0x8b)
                try (InputStream gz = new GZIPInputStream(new java.io.ByteArrayInputStream(all))) {
                    return gz.readAllBytes();
                }
            return all;
        }
    }

    static long countTemps(Path dir) {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
