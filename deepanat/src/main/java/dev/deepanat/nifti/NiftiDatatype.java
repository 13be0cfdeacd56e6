package dev.deepanat.nifti;

/**
 * The on-disk voxel types we read and write. Complex, RGB and the 128-bit types are deliberately absent:
 * none of our pipelines produce them, and a clear "unsupported" error beats a silent misreading.
 */
public enum NiftiDatatype {
    UINT8(2, 8),
    INT16(4, 16),
    INT32(8, 32),
    FLOAT32(16, 32),
    FLOAT64(64, 64),
    INT8(256, 8),
    UINT16(512, 16),
    UINT32(768, 32),
    INT64(1024, 64);

    private final int code;
    private final int bitpix;

    NiftiDatatype(int code, int bitpix) {
        this.code = code;
        this.bitpix = bitpix;
    }

    /** The NIfTI datatype code (header field {@code datatype}). */
    public int code() { return code; }

    /** Bits per voxel (header field {@code bitpix}). */
    public int bitpix() { return bitpix; }

    /** Bytes per voxel. */
    public int bytes() { return bitpix / 8; }

    /** Whether this type stores integers (writing it rounds and clamps). */
    public boolean isInteger() { return this != FLOAT32 && this != FLOAT64; }

    /** The lower-case name used on the command line and by nibabel ({@code "int16"}). */
    public String lowerName() { return name().toLowerCase(java.util.Locale.ROOT); }

    /** The type with this code, or null when the code is not one we support. */
    public static NiftiDatatype fromCode(int code) {
        for (NiftiDatatype t : values()) if (t.code == code) return t;
        return null;
    }

    /** The type with this lower- or upper-case name ({@code "int16"}), or null. */
    public static NiftiDatatype fromName(String name) {
        for (NiftiDatatype t : values()) if (t.name().equalsIgnoreCase(name)) return t;
        return null;
    }

    /** The NIfTI name of any datatype code, supported or not, for messages and {@code deepanat info}. */
    public static String describeCode(int code) {
        return switch (code) {
            case 0 -> "unknown";
            case 1 -> "binary";
            case 2 -> "uint8";
            case 4 -> "int16";
            case 8 -> "int32";
            case 16 -> "float32";
            case 32 -> "complex64";
            case 64 -> "float64";
            case 128 -> "rgb24";
            case 255 -> "all";
            case 256 -> "int8";
            case 512 -> "uint16";
            case 768 -> "uint32";
            case 1024 -> "int64";
            case 1280 -> "uint64";
            case 1536 -> "float128";
            case 1792 -> "complex128";
            case 2048 -> "complex256";
            case 2304 -> "rgba32";
            default -> "code " + code;
        };
    }
}
