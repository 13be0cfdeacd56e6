package dev.deepanat.nifti;

/**
 * How {@link Nifti#write} encodes a file.
 *
 * @param datatype  the on-disk voxel type (integers are rounded and clamped; scl_slope = 1, scl_inter = 0)
 * @param version   1 (NIfTI-1, 348-byte header) or 2 (NIfTI-2, 540 bytes, 64-bit dims)
 * @param gzipLevel deflate level 1..9 for .nii.gz; see {@link #DEFAULT_GZIP_LEVEL}
 */
public record NiftiWriteOptions(NiftiDatatype datatype, int version, int gzipLevel) {
    /**
     * Level 1: on brain volumes it compresses a few percent worse than level 6 but several times faster
     * (measured in NiftiWriteBenchmarkTest / the NIfTI notes in the report), and writing is on the critical path.
     */
    public static final int DEFAULT_GZIP_LEVEL = 1;

    public NiftiWriteOptions {
        if (datatype == null) throw new IllegalArgumentException("datatype is required");
        if (version != 1 && version != 2) throw new IllegalArgumentException("NIfTI version must be 1 or 2, got " + version);
        if (gzipLevel < 0 || gzipLevel > 9) throw new IllegalArgumentException("gzip level must be 0..9, got " + gzipLevel);
    }

    /** float32, NIfTI-1, the default gzip level. */
    public static NiftiWriteOptions defaults() { return new NiftiWriteOptions(NiftiDatatype.FLOAT32, 1, DEFAULT_GZIP_LEVEL); }

    public NiftiWriteOptions withDatatype(NiftiDatatype t) { return new NiftiWriteOptions(t, version, gzipLevel); }

    public NiftiWriteOptions withVersion(int v) { return new NiftiWriteOptions(datatype, v, gzipLevel); }

    public NiftiWriteOptions withGzipLevel(int l) { return new NiftiWriteOptions(datatype, version, l); }
}
