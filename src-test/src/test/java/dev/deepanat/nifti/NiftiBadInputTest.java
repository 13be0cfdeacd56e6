package dev.deepanat.nifti;

import dev.deepanat.common.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad input ends in one UserError line that names the file and the problem; no output is half-written. */
class NiftiBadInputTest {
    @TempDir
    Path tmp;

    private Path good(String name) {
        Path f = tmp.resolve(name);
        int[] d = {6, 5, 4, 2};
        Nifti.write(f, NiftiImage.of(NiftiTestImages.geometry(d), d, NiftiTestImages.pattern(d, true)), NiftiDatatype.INT16);
        return f;
    }

    /** A copy of a good .nii with bytes changed by {@code edit}. */
    private Path patched(String name, java.util.function.Consumer<ByteBuffer> edit) throws IOException {
        byte[] b = Files.readAllBytes(good("src-" + name));
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        edit.accept(bb);
        Path f = tmp.resolve(name);
        Files.write(f, b);
        return f;
    }

    private static void assertUserError(Path file, String problem, Executable call) {
        UserError e = assertThrows(UserError.class, call);
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        assertTrue(m.contains(file.toString()), "names " + file + ": " + m);
        assertTrue(m.contains(problem), "says '" + problem + "': " + m);
    }

    @Test
    void missingFile() {
        Path f = tmp.resolve("nope.nii.gz");
        assertUserError(f, "not found", () -> Nifti.read(f));
        assertUserError(f, "not found", () -> Nifti.readHeader(f));
    }

    @Test
    void emptyAndTruncatedHeader() throws IOException {
        Path empty = Files.write(tmp.resolve("empty.nii"), new byte[0]);
        assertUserError(empty, "truncated header", () -> Nifti.read(empty));
        byte[] head = Arrays.copyOf(Files.readAllBytes(good("g.nii")), 200);
        Path cut = Files.write(tmp.resolve("cut.nii"), head);
        assertUserError(cut, "truncated header (200 of 348 bytes)", () -> Nifti.readHeader(cut));
    }

    @Test
    void badSizeofHdr() throws IOException {
        Path f = patched("size.nii", b -> b.putInt(0, 123));
        assertUserError(f, "sizeof_hdr 123", () -> Nifti.read(f));
    }

    @Test
    void wrongMagic() throws IOException {
        Path f = patched("magic.nii", b -> b.put(344, "abc".getBytes(StandardCharsets.US_ASCII)));
        assertUserError(f, "not a NIfTI-1 file (magic \"abc\"", () -> Nifti.read(f));
    }

    @Test
    void badDims() throws IOException {
        Path f = patched("dim0.nii", b -> b.putShort(40, (short) 0));
        assertUserError(f, "bad dim[0] = 0", () -> Nifti.read(f));
        Path g = patched("dim2.nii", b -> b.putShort(44, (short) -3));
        assertUserError(g, "bad dim[2] = -3", () -> Nifti.read(g));
    }

    @Test
    void unsupportedDatatype() throws IOException {
        Path f = patched("rgb.nii", b -> b.putShort(70, (short) 128));
        assertUserError(f, "unsupported datatype rgb24 (code 128)", () -> Nifti.read(f));
        assertEquals(128, Nifti.readHeader(f).datatypeCode(), "the header alone is still readable (for deepanat info)");
    }

    @Test
    void dataShorterThanDims() throws IOException {
        byte[] b = Files.readAllBytes(good("full.nii"));
        Path f = Files.write(tmp.resolve("short.nii"), Arrays.copyOf(b, b.length - 10));
        assertUserError(f, "data truncated", () -> Nifti.read(f));
        Path g = patched("offset.nii", bb -> bb.putFloat(108, 100_000f));
        assertUserError(g, "truncated file", () -> Nifti.read(g));
    }

    @Test
    void corruptAndTruncatedGzip() throws IOException {
        byte[] gz = Files.readAllBytes(good("g.nii.gz"));
        byte[] bad = gz.clone();
        for (int i = 20; i < 60; i++) bad[i] ^= 0x5a;
        Path f = Files.write(tmp.resolve("corrupt.nii.gz"), bad);
        assertUserError(f, "gzip", () -> Nifti.read(f));
        Path half = Files.write(tmp.resolve("half.nii.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertUserError(half, "", () -> Nifti.read(half));
    }

    @Test
    void headerWithoutImg() throws IOException {
        byte[] b = Files.readAllBytes(good("pair-src.nii"));
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(344, "ni1".getBytes(StandardCharsets.US_ASCII)).putFloat(108, 0f);
        Path hdr = Files.write(tmp.resolve("pair.hdr"), Arrays.copyOf(b, 348));
        assertUserError(tmp.resolve("pair.img"), "not found", () -> Nifti.read(hdr));
        // With the .img present the pair reads like the .nii it came from.
        Files.write(tmp.resolve("pair.img"), Arrays.copyOfRange(b, 352, b.length));
        assertArrayEquals(Nifti.read(tmp.resolve("pair-src.nii")).data(), Nifti.read(hdr).data());
        assertArrayEquals(Nifti.read(hdr).data(), Nifti.read(tmp.resolve("pair.img")).data(), "also found from the .img name");
    }

    @Test
    void writeRefusesPairsAndTooLargeNifti1Dims() {
        NiftiImage img = Nifti.read(good("w.nii"));
        Path hdr = tmp.resolve("out.hdr");
        assertUserError(hdr, "can only write .nii or .nii.gz", () -> Nifti.write(hdr, img));
        int[] d = {40000, 1, 1};
        NiftiImage wide = NiftiImage.of(NiftiHeader.defaults(d), d, new float[40000]);
        Path out = tmp.resolve("wide.nii");
        assertUserError(out, "too large for NIfTI-1", () -> Nifti.write(out, wide));
        Nifti.write(out, wide, NiftiWriteOptions.defaults().withVersion(2));
        assertEquals(40000, Nifti.read(out).dims()[0]);
    }

    @Test
    void failedWriteLeavesNoTempAndNoHalfFile() throws IOException {
        NiftiImage img = Nifti.read(good("w.nii"));
        // The target is a non-empty folder: the final rename fails after all data went to the temp file.
        Path target = Files.createDirectories(tmp.resolve("busy.nii"));
        Files.writeString(target.resolve("keep"), "x");
        assertUserError(target, "cannot write", () -> Nifti.write(target, img));
        assertEquals(0, NiftiRoundTripTest.countTemps(tmp));
        assertTrue(Files.isDirectory(target));
        // Overwriting an existing file replaces it whole.
        Path f = tmp.resolve("over.nii.gz");
        Files.writeString(f, "old");
        Nifti.write(f, img);
        assertArrayEquals(img.data(), Nifti.read(f).data());
        assertEquals(0, NiftiRoundTripTest.countTemps(tmp));
    }
}
