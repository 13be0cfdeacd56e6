package dev.deepanat.nifti;

import dev.deepanat.app.Main;
import dev.deepanat.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Resample} against scipy.ndimage.affine_transform (golden/resample/make_golden.py) and the resample CLI. */
class ResampleTest {
    @TempDir
    Path tmp;

    private static Path golden(String name) { return Golden.path("resample/" + name); }

    /** Largest |a - b| over the data range of {@code range}. */
    private static double relativeError(float[] a, float[] b, float[] range) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (float v : range) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs((double) a[i] - b[i]));
        return max / (hi - lo);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void matchesScipy(int order) {
        NiftiImage in = Nifti.read(golden("input.nii.gz")), want = Nifti.read(golden("expected_order" + order + ".nii.gz"));
        NiftiImage got = Resample.resample(in, Nifti.readHeader(golden("reference.nii.gz")), order);
        assertArrayEquals(want.dims(), got.dims());
        double err = relativeError(got.data(), want.data(), in.data());
        System.out.printf("resample order %d: max |java - scipy| / range = %.3e%n", order, err);
        assertTrue(err <= 1e-4, "order " + order + ": relative error " + err);
    }

    /**
     * An exact affine (powers of two), so that the grid maps onto itself without rounding: with an oblique one, scipy
     * too zeroes edge voxels that land a rounding error outside [0, n-1].
     */
    @Test
    void identityGridKeepsTheDataAndVolumesAreResampledOneByOne() {
        int[] d = {7, 6, 5, 2};
        double[][] aff = {{2, 0, 0, -10}, {0, 0.5, 0, 3}, {0, 0, -4, 8}, {0, 0, 0, 1}};
        float[] v = new float[7 * 6 * 5 * 2];
        for (int i = 0; i < v.length / 2; i++) v[i + v.length / 2] = 2 * (v[i] = (float) Math.sin(i * 0.37) * 10);
        NiftiImage in = NiftiImage.of(NiftiTestImages.geometry(d).toBuilder().sform(2, aff).build(), d, v);
        NiftiHeader ref = new NiftiHeader.Builder().dims(7, 6, 5).sform(2, aff).build();
        for (int order : new int[] {1, 3}) {
            NiftiImage out = Resample.resample(in, ref, order);
            assertArrayEquals(d, out.dims());
            assertEquals(2.5, out.header().pixdim()[4], "the input's TR");
            assertTrue(relativeError(out.data(), v, v) < 1e-6, "order " + order);
        }
    }

    /** Runs the CLI with System.err captured: {exit code, stderr}. */
    private static String[] cli(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            return new String[] {String.valueOf(Main.execute(args)), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(err);
        }
    }

    @Test
    void cliWritesTheReferenceGrid() {
        Path out = tmp.resolve("out.nii.gz");
        String[] r = cli("resample", golden("input.nii.gz").toString(), "--like", golden("reference.nii.gz").toString(),
                "--out", out.toString(), "--order", "3");
        assertEquals("0", r[0], r[1]);
        NiftiImage got = Nifti.read(out);
        NiftiHeader ref = Nifti.readHeader(golden("reference.nii.gz"));
        assertArrayEquals(ref.shape(), got.header().shape());
        for (int i = 0; i < 4; i++) assertArrayEquals(ref.affine()[i], got.affine()[i], 0, "affine row " + i);
        assertEquals(NiftiDatatype.FLOAT32, got.header().datatype());
        assertTrue(relativeError(got.data(), Nifti.read(golden("expected_order3.nii.gz")).data(), got.data()) <= 1e-4);
    }

    @Test
    void badInputsExitTwoWithOneLine() throws IOException {
        Path out = tmp.resolve("never.nii"), corrupt = tmp.resolve("corrupt.nii");
        Files.write(corrupt, new byte[100]);
        String in = golden("input.nii.gz").toString(), ref = golden("reference.nii.gz").toString();
        String[][] cases = {
                {"missing.nii", "resample", tmp.resolve("missing.nii").toString(), "--like", ref, "--out", out.toString()},
                {"corrupt.nii", "resample", in, "--like", corrupt.toString(), "--out", out.toString()},
                {"--order 2", "resample", in, "--like", ref, "--out", out.toString(), "--order", "2"},
        };
        for (String[] c : cases) {
            String[] r = cli(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals("2", r[0], r[1]);
            assertTrue(r[1].contains(c[0]) && r[1].strip().lines().count() == 1, r[1]);
        }
        assertFalse(Files.exists(out));
    }
}
