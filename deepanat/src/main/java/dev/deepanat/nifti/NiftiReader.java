package dev.deepanat.nifti;

import dev.deepanat.common.UserError;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.ZipException;

/**
 * Reads headers and voxels. Voxels are decoded chunk by chunk straight from the (possibly gunzipping) stream into
 * the float array, so a large .nii.gz never exists in memory twice.
 */
final class NiftiReader {
    /** Bytes decoded per step: a multiple of every voxel size. */
    private static final int CHUNK = 1 << 20;

    private NiftiReader() {}

    static NiftiHeader readHeader(Path path) {
        Path hdrFile = NiftiFiles.headerFile(path);
        try (InputStream in = NiftiFiles.open(hdrFile, "header file")) {
            return readHeader(in, hdrFile);
        } catch (IOException e) {
            throw ioError(hdrFile, e);
        }
    }

    static NiftiImage read(Path path) {
        Path hdrFile = NiftiFiles.headerFile(path);
        try (InputStream in = NiftiFiles.open(hdrFile, "header file")) {
            NiftiHeader h = readHeader(in, hdrFile);
            NiftiDatatype type = supportedType(h, hdrFile);
            long count = h.voxelCount();
            if (count > Integer.MAX_VALUE - 8)
                throw new UserError(hdrFile + ": " + count + " voxels is more than one Java array can hold");
            if (h.singleFile()) {
                // Headers may say a too-small offset; nibabel then reads from just after the header, and so do we.
                long offset = Math.max(h.voxOffset(), h.sizeofHdr() + 4L);
                skip(in, offset - h.sizeofHdr(), hdrFile, "the data offset (vox_offset " + h.voxOffset() + ")");
                return new NiftiImage(h, NiftiImage.presentDims(h.shape()), readVoxels(in, h, type, (int) count, hdrFile));
            }
            Path imgFile = NiftiFiles.imageFile(path);
            try (InputStream img = NiftiFiles.open(imgFile, "image file (.img beside " + hdrFile.getFileName() + ")")) {
                skip(img, h.voxOffset(), imgFile, "the data offset (vox_offset " + h.voxOffset() + ")");
                return new NiftiImage(h, NiftiImage.presentDims(h.shape()), readVoxels(img, h, type, (int) count, imgFile));
            } catch (IOException e) {
                throw ioError(imgFile, e);
            }
        } catch (IOException e) {
            throw ioError(hdrFile, e);
        }
    }

    /**
     * Streams through the voxel data without keeping it, to prove the file holds all of it (and, for gzip, that it
     * inflates cleanly). Unsupported datatypes are sized by bitpix. Returns the number of voxel bytes.
     */
    static long verifyData(Path path) {
        Path hdrFile = NiftiFiles.headerFile(path);
        try (InputStream in = NiftiFiles.open(hdrFile, "header file")) {
            NiftiHeader h = readHeader(in, hdrFile);
            long bytes = h.voxelCount() * Math.max(1, h.bitpix() / 8);
            if (h.singleFile()) {
                long offset = Math.max(h.voxOffset(), h.sizeofHdr() + 4L);
                skip(in, offset - h.sizeofHdr(), hdrFile, "the data offset (vox_offset " + h.voxOffset() + ")");
                return drain(in, bytes, hdrFile);
            }
            Path imgFile = NiftiFiles.imageFile(path);
            try (InputStream img = NiftiFiles.open(imgFile, "image file (.img beside " + hdrFile.getFileName() + ")")) {
                skip(img, h.voxOffset(), imgFile, "the data offset (vox_offset " + h.voxOffset() + ")");
                return drain(img, bytes, imgFile);
            } catch (IOException e) {
                throw ioError(imgFile, e);
            }
        } catch (IOException e) {
            throw ioError(hdrFile, e);
        }
    }

    private static long drain(InputStream in, long bytes, Path file) throws IOException {
        byte[] scratch = new byte[CHUNK];
        for (long done = 0; done < bytes; ) {
            int n = in.readNBytes(scratch, 0, (int) Math.min(CHUNK, bytes - done));
            if (n == 0) throw new UserError(file + ": data truncated (header says " + bytes + " bytes of voxel data, file holds " + done + ")");
            done += n;
        }
        return bytes;
    }

    private static NiftiHeader readHeader(InputStream in, Path file) throws IOException {
        byte[] first = in.readNBytes(4);
        if (first.length < 4) throw new UserError(file + ": truncated header (" + first.length + " bytes; empty or not a NIfTI file)");
        NiftiHeaderCodec.Probe p = NiftiHeaderCodec.probe(first);
        if (p.version() == 0) {
            int le = java.nio.ByteBuffer.wrap(first).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
            throw new UserError(file + ": not a NIfTI file (sizeof_hdr " + le + ", expected 348 or 540 in either byte order)");
        }
        int size = p.version() == 2 ? NiftiHeader.SIZEOF_NIFTI2 : NiftiHeader.SIZEOF_NIFTI1;
        byte[] all = new byte[size];
        System.arraycopy(first, 0, all, 0, 4);
        int got = in.readNBytes(all, 4, size - 4);
        if (got < size - 4) throw new UserError(file + ": truncated header (" + (got + 4) + " of " + size + " bytes)");
        try {
            return NiftiHeaderCodec.decode(all, p);
        } catch (NiftiHeaderCodec.BadHeader e) {
            throw new UserError(file + ": " + e.getMessage());
        }
    }

    private static NiftiDatatype supportedType(NiftiHeader h, Path file) {
        NiftiDatatype t = h.datatype();
        if (t == null) {
            StringBuilder names = new StringBuilder();
            for (NiftiDatatype s : NiftiDatatype.values()) names.append(names.isEmpty() ? "" : ", ").append(s.lowerName());
            throw new UserError(file + ": unsupported datatype " + NiftiDatatype.describeCode(h.datatypeCode())
                    + " (code " + h.datatypeCode() + "); supported: " + names);
        }
        return t;
    }

    private static void skip(InputStream in, long n, Path file, String what) throws IOException {
        try {
            in.skipNBytes(n);
        } catch (EOFException e) {
            throw new UserError(file + ": truncated file (ends before " + what + ")");
        }
    }

    /** Fills a float array from the stream and applies scl_slope/scl_inter. */
    private static float[] readVoxels(InputStream in, NiftiHeader h, NiftiDatatype type, int count, Path file) throws IOException {
        float[] out = new float[count];
        int bytes = type.bytes();
        byte[] chunk = new byte[CHUNK];
        int perChunk = CHUNK / bytes;
        for (int done = 0; done < count; ) {
            int n = Math.min(perChunk, count - done);
            int got = in.readNBytes(chunk, 0, n * bytes);
            if (got < n * bytes)
                throw new UserError(file + ": data truncated (header says " + count + " " + type.lowerName()
                        + " voxels = " + (long) count * bytes + " bytes, file holds " + ((long) done * bytes + got) + ")");
            VoxelCodec.decode(chunk, n, type, h.byteOrder(), out, done);
            done += n;
        }
        applyScaling(out, h, file);
        return out;
    }

    /** nibabel's rule: a slope of 0, NaN or infinity means "no scaling"; otherwise value = raw * slope + inter. */
    private static void applyScaling(float[] v, NiftiHeader h, Path file) {
        double slope = h.sclSlope(), inter = h.sclInter();
        if (slope == 0 || !Double.isFinite(slope)) return;
        if (!Double.isFinite(inter)) throw new UserError(file + ": valid scl_slope but invalid scl_inter " + inter);
        if (slope == 1 && inter == 0) return;
        for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] * slope + inter);
    }

    private static UserError ioError(Path file, IOException e) {
        if (e instanceof ZipException || e instanceof EOFException)
            return new UserError(file + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        return new UserError(file + ": read error (" + e.getMessage() + ")", e);
    }
}
