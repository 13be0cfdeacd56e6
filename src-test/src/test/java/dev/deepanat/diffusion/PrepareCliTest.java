package dev.deepanat.diffusion;

import dev.deepanat.app.Main;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiHeader;
import dev.deepanat.nifti.NiftiImage;
import dev.deepanat.phantom.BrainPhantom;
import dev.deepanat.phantom.PhantomSpec;
import dev.deepanat.phantom.PhantomWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code deepanat prepare} end to end, and every bad input: one line naming the file, non-zero exit, no outputs. */
class PrepareCliTest {
    @TempDir static Path dir;
    static Path dwi, bval, bvec, mask;
    static final int N = 20;

    @BeforeAll
    static void phantom() {
        PhantomWriter.write(BrainPhantom.generate(new PhantomSpec(1, N, 3, 20, 2, false, true), 0), dir);
        Path s = dir.resolve("sub-01");
        dwi = s.resolve("sub-01_dwi.nii.gz");
        bval = s.resolve("sub-01_dwi.bval");
        bvec = s.resolve("sub-01_dwi.bvec");
        mask = s.resolve("sub-01_mask.nii.gz");
    }

    record Run(int rc, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int rc = Main.execute(args);
            return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static String[] args(Path dwiF, Path bvalF, Path bvecF, Path maskF, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("prepare", "--dwi", dwiF.toString(), "--bval", bvalF.toString(),
                "--bvec", bvecF.toString(), "--subject-id", "sub-01", "--out", out.toString()));
        if (maskF != null) a.addAll(List.of("--mask", maskF.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    static void assertFailsNaming(Path culprit, String problem, String... args) throws Exception {
        Path out = Path.of(args[Arrays.asList(args).indexOf("--out") + 1]);
        Run r = run(args);
        assertTrue(r.rc() != 0, "exit code for " + culprit);
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.contains(culprit.getFileName().toString()), "names " + culprit.getFileName() + ": " + err);
        assertTrue(err.toLowerCase().contains(problem), "says '" + problem + "': " + err);
        assertFalse(Files.exists(out) && hasFiles(out), "no outputs left in " + out);
    }

    static boolean hasFiles(Path d) throws Exception {
        try (Stream<Path> s = Files.walk(d)) { return s.anyMatch(Files::isRegularFile); }
    }

    @Test
    void writesAllOutputsWithTheDwiGeometry() throws Exception {
        Path out = dir.resolve("ok");
        Run r = run(args(dwi, bval, bvec, null, out, "--threads", "2"));
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("voxels in the computed mask"), r.out());
        NiftiHeader geo = Nifti.readHeader(dwi);
        for (String s : List.of("meanb0", "meandwi", "dtiL1", "dtiL2", "dtiL3", "dtiDwi1", "dtiDwi2", "dtiDwi3", "dtiDwi4",
                "dtiDwi5", "dtiDwi6", "dtiFA", "dtiMD")) {
            NiftiImage img = Nifti.read(out.resolve("sub-01_diff_" + s + ".nii.gz"));
            assertArrayEquals(new int[]{N, N, N}, img.dims(), s);
            assertArrayEquals(geo.sformMatrix()[0], img.header().sformMatrix()[0], 1e-9);
        }
        assertArrayEquals(new int[]{N, N, N, 3}, Nifti.read(out.resolve("sub-01_diff_dtiV1.nii.gz")).dims());
        assertTrue(Files.exists(out.resolve("sub-01_mask.nii.gz")));
        try (Stream<Path> s = Files.list(out)) { assertEquals(15, s.count(), "no staging leftovers"); }

        Path out2 = dir.resolve("ok-mask");
        assertEquals(0, run(args(dwi, bval, bvec, mask, out2, "--fit", "ols", "--shell", "all")).rc());
        // a given mask is copied in, binarized, so that the folder is a complete subject for train/predict
        float[] given = Nifti.read(mask).data(), copied = Nifti.read(out2.resolve("sub-01_mask.nii.gz")).data();
        for (int i = 0; i < given.length; i++) assertEquals(given[i] > 0 ? 1f : 0f, copied[i]);
    }

    @Test
    void missingFiles() throws Exception {
        Path nope = dir.resolve("missing_dwi.nii.gz");
        assertFailsNaming(nope, "", args(nope, bval, bvec, null, dir.resolve("o1")));
        Path noBval = dir.resolve("missing.bval");
        assertFailsNaming(noBval, "no such file", args(dwi, noBval, bvec, null, dir.resolve("o2")));
        Path noMask = dir.resolve("missing_mask.nii.gz");
        assertFailsNaming(noMask, "", args(dwi, bval, bvec, noMask, dir.resolve("o3")));
    }

    @Test
    void truncatedAndCorruptDwi() throws Exception {
        byte[] full = Files.readAllBytes(dwi);
        Path truncated = Files.write(dir.resolve("truncated_dwi.nii.gz"), Arrays.copyOf(full, full.length / 2));
        assertFailsNaming(truncated, "", args(truncated, bval, bvec, null, dir.resolve("o4")));
        byte[] junk = full.clone();
        for (int i = 20; i < 400; i++) junk[i] = (byte) (i * 31);
        Path corrupt = Files.write(dir.resolve("corrupt_dwi.nii.gz"), junk);
        assertFailsNaming(corrupt, "", args(corrupt, bval, bvec, null, dir.resolve("o5")));
    }

    @Test
    void gradientCountsThatDoNotMatch() throws Exception {
        String[] v = Files.readAllLines(bvec).toArray(String[]::new);
        StringBuilder shorter = new StringBuilder();
        for (String line : v) shorter.append(line, 0, line.lastIndexOf(' ')).append('\n');
        Path shortBvec = Files.writeString(dir.resolve("short.bvec"), shorter);
        assertFailsNaming(shortBvec, "expected 3 rows", args(dwi, bval, shortBvec, null, dir.resolve("o6")));
        Path longBval = Files.writeString(dir.resolve("long.bval"), Files.readString(bval).strip() + " 1000\n");
        StringBuilder longer = new StringBuilder();
        for (int i = 0; i < v.length; i++) longer.append(v[i]).append(i == 0 ? " 1.0\n" : " 0.0\n");
        Path longBvec = Files.writeString(dir.resolve("long.bvec"), longer);
        assertFailsNaming(longBval, "volumes", args(dwi, longBval, longBvec, null, dir.resolve("o7")));
        Path junk = Files.writeString(dir.resolve("junk.bval"), "0 1000 x1000\n");
        assertFailsNaming(junk, "not a number", args(dwi, junk, bvec, null, dir.resolve("o8")));
    }

    @Test
    void masksOfAnotherShapeOrEmpty() throws Exception {
        Path small = dir.resolve("small_mask.nii.gz");
        Nifti.write(small, NiftiImage.of(NiftiHeader.defaults(N - 1, N, N), new int[]{N - 1, N, N}, new float[(N - 1) * N * N]));
        assertFailsNaming(small, "shape", args(dwi, bval, bvec, small, dir.resolve("o9")));
        Path empty = dir.resolve("empty_mask.nii.gz");
        Nifti.write(empty, NiftiImage.of(NiftiHeader.defaults(N, N, N), new int[]{N, N, N}, new float[N * N * N]));
        assertFailsNaming(empty, "empty", args(dwi, bval, bvec, empty, dir.resolve("o10")));
    }

    @Test
    void nanInTheDwi() throws Exception {
        NiftiImage img = Nifti.read(dwi);
        float[] d = img.data().clone();
        d[5] = Float.NaN;
        d[N * N * N + 5] = Float.NaN; // same voxel, another volume: counted once
        d[7] = Float.POSITIVE_INFINITY;
        Path bad = dir.resolve("nan_dwi.nii.gz");
        Nifti.write(bad, NiftiImage.of(img.header(), img.dims(), d));
        assertFailsNaming(bad, "2 voxels hold nan", args(bad, bval, bvec, null, dir.resolve("o11")));
    }

    @Test
    void outputPathThatIsAFileIsLeftAlone() throws Exception {
        Path file = Files.writeString(dir.resolve("occupied"), "keep me");
        Run r = run(args(dwi, bval, bvec, null, file));
        assertTrue(r.rc() != 0);
        assertTrue(r.err().contains("occupied") && r.err().contains("not a folder"), r.err());
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void badOptions() throws Exception {
        assertFailsNaming(Path.of("--shell"), "neither", args(dwi, bval, bvec, null, dir.resolve("o12"), "--shell", "abc"));
        assertFailsNaming(bval, "no dwi in shell", args(dwi, bval, bvec, null, dir.resolve("o13"), "--shell", "3000"));
    }
}
