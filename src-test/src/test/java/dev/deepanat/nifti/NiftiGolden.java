package dev.deepanat.nifti;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;

import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Loads the golden files made by golden/nifti/make_golden.py and compares our images with nibabel's summaries. */
final class NiftiGolden {
    private NiftiGolden() {}

    /** The folder of the golden files as the tests see it (target/test-classes/golden/nifti). */
    static Path dir() {
        try {
            return Path.of(NiftiGolden.class.getResource("/golden/nifti/make_golden.py").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same folder in the source tree, where -Ddeepanat.nifti.regenerate=true writes. */
    static Path sourceDir() {
        return Path.of(System.getProperty("deepanat.repo", ".")).resolve("src-test/src/test/resources/golden/nifti");
    }

    static JsonElement json(Path p) {
        try (Reader r = Files.newBufferedReader(p)) {
            JsonReader jr = new JsonReader(r);
            jr.setStrictness(Strictness.LENIENT); // Python's json writes NaN for non-finite samples
            return JsonParser.parseReader(jr);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read golden file " + p, e);
        }
    }

    /** Compares an image with a golden entry: shape, affine (1e-5), statistics and sampled (or all) values. */
    static void assertMatches(JsonObject g, NiftiImage img, String label) {
        long[] shape = longs(g.getAsJsonArray("shape"));
        assertEquals(java.util.Arrays.toString(shape), java.util.Arrays.toString(img.header().shape()), label + ": shape");
        assertAffine(matrix(g.getAsJsonArray("affine")), img.affine(), 1e-5, label + ": affine");
        float[] v = img.data();
        assertEquals(g.get("count").getAsLong(), v.length, label + ": voxel count");
        // Integer data without scaling is exact; anything scaled or floating is compared at 1e-6 relative.
        boolean exact = isInteger(g.get("datatype").getAsInt()) && g.get("slope").getAsDouble() == 1
                && g.get("inter").getAsDouble() == 0;
        double sum = 0, sumsq = 0, sumAbs = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        long nonfinite = 0;
        for (float f : v) {
            if (!Float.isFinite(f)) { nonfinite++; continue; }
            sum += f; sumsq += (double) f * f; sumAbs += Math.abs(f);
            min = Math.min(min, f); max = Math.max(max, f);
        }
        if (nonfinite == v.length) { min = 0; max = 0; }
        assertEquals(g.get("nonfinite").getAsLong(), nonfinite, label + ": non-finite count");
        assertEquals(g.get("sum").getAsDouble(), sum, 1e-6 * sumAbs + 1e-9, label + ": sum");
        assertEquals(g.get("sumsq").getAsDouble(), sumsq, 1e-6 * sumsq + 1e-9, label + ": sum of squares");
        assertValue(g.get("min").getAsDouble(), min, exact, label + ": min");
        assertValue(g.get("max").getAsDouble(), max, exact, label + ": max");
        for (JsonElement s : g.getAsJsonArray("samples")) {
            JsonArray pair = s.getAsJsonArray();
            int i = pair.get(0).getAsInt();
            assertValue(pair.get(1).getAsDouble(), v[i], exact, label + ": voxel " + i);
        }
        if (g.has("values")) {
            JsonArray all = g.getAsJsonArray("values");
            for (int i = 0; i < all.size(); i++) assertValue(all.get(i).getAsDouble(), v[i], exact, label + ": voxel " + i);
        }
    }

    static void assertValue(double expected, double actual, boolean exact, String what) {
        if (Double.isNaN(expected)) {
            assertTrue(Double.isNaN(actual), what + ": expected NaN, got " + actual);
        } else if (exact) {
            assertEquals(expected, actual, 0.0, what);
        } else {
            assertEquals(expected, actual, 1e-6 * Math.abs(expected) + 1e-30, what);
        }
    }

    static void assertAffine(double[][] expected, double[][] actual, double tol, String what) {
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                if (Math.abs(expected[i][j] - actual[i][j]) > tol)
                    fail(what + " differs at [" + i + "][" + j + "]: expected " + expected[i][j] + ", got " + actual[i][j]
                            + "\nexpected " + java.util.Arrays.deepToString(expected) + "\nactual   " + java.util.Arrays.deepToString(actual));
    }

    static boolean isInteger(int datatypeCode) {
        NiftiDatatype t = NiftiDatatype.fromCode(datatypeCode);
        return t != null && t.isInteger();
    }

    static double[][] matrix(JsonArray a) {
        double[][] m = new double[a.size()][];
        for (int i = 0; i < m.length; i++) {
            JsonArray row = a.get(i).getAsJsonArray();
            m[i] = new double[row.size()];
            for (int j = 0; j < row.size(); j++) m[i][j] = row.get(j).getAsDouble();
        }
        return m;
    }

    static long[] longs(JsonArray a) {
        long[] v = new long[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).getAsLong();
        return v;
    }
}
