package dev.deepanat.nifti;

import java.nio.file.Path;

/**
 * Entry point for NIfTI-1/NIfTI-2 files. Every problem with a file the user named (missing, truncated, corrupt,
 * unsupported) surfaces as a {@link dev.deepanat.common.UserError} whose one-line message names the file.
 */
public final class Nifti {
    private Nifti() {}

    /** Reads .nii, .nii.gz, or .hdr/.img (also .hdr.gz/.img.gz); data converted to float32 with scl_slope/scl_inter applied. Throws UserError naming the file on any problem. */
    public static NiftiImage read(Path path) { return NiftiReader.read(path); }

    /** Reads only the header. */
    public static NiftiHeader readHeader(Path path) { return NiftiReader.readHeader(path); }

    /**
     * Checks that the file holds all the voxel data its header promises (gzip inflated and discarded on the way,
     * nothing kept); returns the number of voxel bytes. Throws UserError naming the file otherwise.
     */
    public static long verifyData(Path path) { return NiftiReader.verifyData(path); }

    /** Writes float32 (.nii or .nii.gz by extension), atomically: temp file in the same folder, then rename. */
    public static void write(Path path, NiftiImage image) { write(path, image, NiftiWriteOptions.defaults()); }

    /** Writes with the given on-disk datatype (rounding + clamping for integer types, scl_slope=1, scl_inter=0). */
    public static void write(Path path, NiftiImage image, NiftiDatatype datatype) {
        write(path, image, NiftiWriteOptions.defaults().withDatatype(datatype));
    }

    /** Writes with full control of datatype, NIfTI version and gzip level. */
    public static void write(Path path, NiftiImage image, NiftiWriteOptions options) {
        NiftiWriter.write(path, image, options);
    }

    /**
     * The image as a gzipped NIfTI-1 in memory, stored as {@code datatype} (uint8, int16 or uint16) with scl_slope and
     * scl_inter mapping the data's range onto the type's; readers that apply the scaling get the values back to
     * within one step of (max - min) / (levels - 1).
     */
    public static byte[] encodeScaled(NiftiImage image, NiftiDatatype datatype, int gzipLevel) {
        return NiftiWriter.encodeScaled(image, NiftiWriteOptions.defaults().withDatatype(datatype).withGzipLevel(gzipLevel), "memory.nii.gz");
    }
}
