package dev.deepanat.eval;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiHeader;
import dev.deepanat.nifti.NiftiImage;
import dev.deepanat.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Metrics against golden/metrics (made by make_golden.py with scikit-image's SSIM) and the evaluate command. */
class MetricsTest {
    static final String[] CASES = {"inner", "border", "thin"};

    @TempDir
    Path tmp;

    static JsonObject expected(String name) throws IOException {
        return JsonParser.parseString(Files.readString(Golden.path("metrics/expected.json"))).getAsJsonObject()
                .getAsJsonObject("cases").getAsJsonObject(name);
    }

    static Path file(String name, String kind) { return Golden.path("metrics/" + name + "_" + kind + ".nii.gz"); }

    static void assertMatches(JsonObject e, double mse, double mae, double psnr, double ssim, long voxels, String name) {
        assertEquals(e.get("ssim").getAsDouble(), ssim, 1e-4, name + " ssim");
        for (var c : Map.of("mse", mse, "mae", mae, "psnr", psnr).entrySet()) {
            double want = e.get(c.getKey()).getAsDouble();
            assertEquals(want, c.getValue(), 1e-5 * Math.abs(want), name + " " + c.getKey());
        }
        assertEquals(e.get("voxels").getAsLong(), voxels, name + " voxels");
    }

    @Test
    void matchesSkimageGolden() throws IOException {
        for (String name : CASES) {
            NiftiImage p = Nifti.read(file(name, "pred")), r = Nifti.read(file(name, "ref")), m = Nifti.read(file(name, "mask"));
            Metrics got = Metrics.of(p.data(), r.data(), m.data(), r.nx(), r.ny(), r.nz());
            assertMatches(expected(name), got.mse(), got.mae(), got.psnr(), got.ssim(), got.voxels(), name);
        }
    }

    @Test
    void identicalImagesScorePerfectly() {
        NiftiImage r = Nifti.read(file("border", "ref")), m = Nifti.read(file("border", "mask"));
        Metrics got = Metrics.of(r.data(), r.data(), m.data(), r.nx(), r.ny(), r.nz());
        assertEquals(1, got.ssim(), 1e-12);
        assertEquals(0, got.mse(), 1e-15);
        assertEquals(Double.POSITIVE_INFINITY, got.psnr());
    }

    @Test
    void constantImageAndSmallGridAreRefused() {
        int n = 12 * 12 * 12;
        float[] ramp = new float[n], flat = new float[n], mask = new float[n];
        for (int i = 0; i < n; i++) { ramp[i] = i; flat[i] = 7; mask[i] = 1; }
        var e = assertThrows(IllegalArgumentException.class, () -> Metrics.of(flat, ramp, mask, 12, 12, 12));
        assertTrue(e.getMessage().contains("prediction is constant"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Metrics.of(ramp, ramp, mask, 12, 144, 1));
        assertTrue(e.getMessage().contains("at least 11 voxels"), e.getMessage());
    }

    @Test
    void evaluatePrintsJsonAndText() throws IOException {
        String[] a = {"--pred", file("thin", "pred").toString(), "--ref", file("thin", "ref").toString(), "--mask", file("thin", "mask").toString()};
        String[] r = run(concat(new String[] {"evaluate", "--json"}, a));
        assertEquals("0", r[0], r[2]);
        assertEquals(1, r[1].strip().lines().count(), r[1]);
        JsonObject j = JsonParser.parseString(r[1]).getAsJsonObject();
        assertMatches(expected("thin"), j.get("mse").getAsDouble(), j.get("mae").getAsDouble(), j.get("psnr").getAsDouble(),
                j.get("ssim").getAsDouble(), j.get("voxels").getAsLong(), "thin via CLI");
        r = run(concat(new String[] {"evaluate"}, a));
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("SSIM 0.69") && r[1].contains("(2833 voxels)"), r[1]);
    }

    @Test
    void badInputsExitTwoWithOneLineNamingTheFile() {
        Path ref = file("inner", "ref"), mask = file("inner", "mask"), other = file("border", "pred");
        String[] r = run("evaluate", "--pred", other.toString(), "--ref", ref.toString(), "--mask", mask.toString());
        assertEquals("2", r[0], r[2]);
        assertOneLine(r[2], "border_pred.nii.gz is 27x13x31", "inner_ref.nii.gz is 24x20x18");

        NiftiImage img = Nifti.read(ref);
        float[] nan = img.data().clone();
        nan[5] = Float.NaN;
        Path bad = write("nan.nii", nan), empty = write("empty.nii", new float[nan.length]);
        r = run("evaluate", "--pred", bad.toString(), "--ref", ref.toString(), "--mask", mask.toString());
        assertEquals("2", r[0], r[2]);
        assertOneLine(r[2], "nan.nii", "NaN");
        r = run("evaluate", "--pred", ref.toString(), "--ref", ref.toString(), "--mask", empty.toString());
        assertEquals("2", r[0], r[2]);
        assertOneLine(r[2], "empty.nii", "mask is empty");
        // the same dims placed elsewhere are another grid
        Path moved = tmp.resolve("moved.nii");
        Nifti.write(moved, NiftiImage.of(new NiftiHeader.Builder().dims(24, 20, 18).build(), new int[] {24, 20, 18}, img.data()));
        r = run("evaluate", "--pred", moved.toString(), "--ref", ref.toString(), "--mask", mask.toString());
        assertEquals("2", r[0], r[2]);
        assertOneLine(r[2], "moved.nii has affine", "must share one grid");
    }

    private Path write(String name, float[] data) {
        int[] d = {24, 20, 18};
        Path f = tmp.resolve(name);
        Nifti.write(f, NiftiImage.of(Nifti.read(file("inner", "ref")).header(), d, data)); // the reference's grid
        return f;
    }

    private static void assertOneLine(String err, String... parts) {
        assertEquals(1, err.strip().lines().count(), err);
        for (String p : parts) assertTrue(err.contains(p), err);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static String[] run(String... args) {
        return dev.deepanat.testing.Cli.run(args);
    }
}
