package dev.deepanat.nifti;

import dev.deepanat.common.AtomicFiles;
import dev.deepanat.common.UserError;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/**
 * Writes single-file NIfTI (.nii or .nii.gz). The file appears atomically: everything goes to a hidden temporary
 * file in the same folder, which is renamed over the target only once complete, so a crash or full disk never leaves
 * a half-written volume under the real name.
 */
final class NiftiWriter {
    private static final int CHUNK = 1 << 20;

    private NiftiWriter() {}

    static void write(Path path, NiftiImage image, NiftiWriteOptions opt) {
        String base = NiftiFiles.baseName(path);
        if (!base.endsWith(".nii"))
            throw new UserError(path + ": can only write .nii or .nii.gz (not .hdr/.img pairs or other names)");
        NiftiHeader h = diskHeader(image, opt, path);
        AtomicFiles.write(path, file -> {
            try (OutputStream out = NiftiFiles.isGz(path) ? gzip(file, opt.gzipLevel()) : file) {
                writeBody(out, h, image.data());
            }
        });
    }

    /**
     * A .nii.gz in memory, its voxels stored as {@code opt.datatype()} (an integer type) through scl_slope/scl_inter
     * chosen so that the data's finite range spans the type's range: for pages and viewers, where a quarter or half
     * of float32's size matters more than the last bits. NaNs are stored as the range's minimum.
     */
    static byte[] encodeScaled(NiftiImage image, NiftiWriteOptions opt, String name) {
        NiftiDatatype t = opt.datatype();
        double lo = switch (t) { case UINT8 -> 0; case INT16 -> Short.MIN_VALUE; case UINT16 -> 0;
            default -> throw new IllegalArgumentException("encodeScaled: " + t + " is not uint8, int16 or uint16"); };
        double hi = switch (t) { case UINT8 -> 255; case INT16 -> Short.MAX_VALUE; default -> 65535; };
        float[] v = image.data();
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (float f : v) if (Float.isFinite(f)) { min = Math.min(min, f); max = Math.max(max, f); }
        if (min > max) { min = 0; max = 0; }
        double slope = max > min ? (max - min) / (hi - lo) : 1, inter = min - lo * slope;
        float[] stored = new float[v.length];
        for (int i = 0; i < v.length; i++) stored[i] = Float.isFinite(v[i]) ? (float) ((v[i] - inter) / slope) : (float) lo;
        NiftiHeader h = diskHeader(image, opt, Path.of(name)).toBuilder().scaling(slope, inter).build();
        var bytes = new java.io.ByteArrayOutputStream();
        try (OutputStream out = gzip(bytes, opt.gzipLevel())) {
            writeBody(out, h, stored);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // memory only: cannot happen
        }
        return bytes.toByteArray();
    }

    private static void writeBody(OutputStream out, NiftiHeader h, float[] data) throws IOException {
        out.write(NiftiHeaderCodec.encode(h));
        out.write(new byte[4]); // extension flag: no extensions follow
        writeVoxels(out, data, h.datatype(), h.byteOrder());
    }

    private static OutputStream gzip(OutputStream file, int level) throws IOException {
        return new GZIPOutputStream(file, NiftiFiles.BUFFER) {
            { def.setLevel(level); }
        };
    }

    /** The on-disk header: the image's geometry with this file's dims, datatype, version and layout. */
    static NiftiHeader diskHeader(NiftiImage image, NiftiWriteOptions opt, Path path) {
        NiftiHeader src = image.header();
        NiftiHeader.Builder b = src.toBuilder();
        // Keep the source's dim array (it may carry trailing 1s) when it describes the same layout.
        if (!Arrays.equals(NiftiImage.presentDims(src.shape()), image.dims())) b.dims(image.dims());
        long[] dim = b.build().dim();
        if (opt.version() == 1)
            for (int i = 1; i <= dim[0]; i++)
                if (dim[i] > Short.MAX_VALUE)
                    throw new UserError(path + ": dim[" + i + "] = " + dim[i] + " is too large for NIfTI-1 (max 32767); write NIfTI-2");
        int sizeof = opt.version() == 2 ? NiftiHeader.SIZEOF_NIFTI2 : NiftiHeader.SIZEOF_NIFTI1;
        return b.version(opt.version())
                .byteOrder(ByteOrder.LITTLE_ENDIAN)
                .singleFile(true)
                .datatype(opt.datatype())
                .scaling(1, 0)
                .voxOffset(sizeof + 4)
                .build();
    }

    private static void writeVoxels(OutputStream out, float[] data, NiftiDatatype type, ByteOrder order) throws IOException {
        byte[] chunk = new byte[CHUNK];
        int perChunk = CHUNK / type.bytes();
        for (int done = 0; done < data.length; ) {
            int n = Math.min(perChunk, data.length - done);
            VoxelCodec.encode(data, done, n, type, order, chunk);
            out.write(chunk, 0, n * type.bytes());
            done += n;
        }
    }
}
