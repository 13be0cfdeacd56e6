package dev.deepanat.nifti;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Every field of a NIfTI-1 or NIfTI-2 header, held in the wider NIfTI-2 types (long dims, double floats) so one
 * class serves both versions. Immutable: change a field through {@link #toBuilder()}. Values are kept as they were on
 * disk (for {@code deepanat info}); the sanitising nibabel does for the affine lives in {@link Affines}.
 */
public final class NiftiHeader {
    /** Header sizes in bytes, also the {@code sizeof_hdr} field that tells version and byte order. */
    public static final int SIZEOF_NIFTI1 = 348, SIZEOF_NIFTI2 = 540;

    private final int version;
    private final ByteOrder byteOrder;
    private final boolean singleFile;
    private final long[] dim;
    private final double[] pixdim;
    private final int datatypeCode, bitpix;
    private final int intentCode;
    private final double intentP1, intentP2, intentP3;
    private final String intentName;
    private final double sclSlope, sclInter;
    private final long voxOffset;
    private final double calMin, calMax;
    private final long sliceStart, sliceEnd;
    private final int sliceCode;
    private final double sliceDuration, toffset;
    private final int xyztUnits, dimInfo;
    private final int qformCode, sformCode;
    private final double quaternB, quaternC, quaternD, qoffsetX, qoffsetY, qoffsetZ;
    private final double[] srowX, srowY, srowZ;
    private final String descrip, auxFile;

    private NiftiHeader(Builder b) {
        version = b.version; byteOrder = b.byteOrder; singleFile = b.singleFile;
        dim = b.dim.clone(); pixdim = b.pixdim.clone();
        datatypeCode = b.datatypeCode; bitpix = b.bitpix;
        intentCode = b.intentCode; intentP1 = b.intentP1; intentP2 = b.intentP2; intentP3 = b.intentP3;
        intentName = b.intentName;
        sclSlope = b.sclSlope; sclInter = b.sclInter; voxOffset = b.voxOffset;
        calMin = b.calMin; calMax = b.calMax;
        sliceStart = b.sliceStart; sliceEnd = b.sliceEnd; sliceCode = b.sliceCode;
        sliceDuration = b.sliceDuration; toffset = b.toffset;
        xyztUnits = b.xyztUnits; dimInfo = b.dimInfo;
        qformCode = b.qformCode; sformCode = b.sformCode;
        quaternB = b.quaternB; quaternC = b.quaternC; quaternD = b.quaternD;
        qoffsetX = b.qoffsetX; qoffsetY = b.qoffsetY; qoffsetZ = b.qoffsetZ;
        srowX = b.srowX.clone(); srowY = b.srowY.clone(); srowZ = b.srowZ.clone();
        descrip = b.descrip; auxFile = b.auxFile;
    }

    /** A float32 NIfTI-1 single-file header with identity geometry for the given dims. */
    public static NiftiHeader defaults(int... dims) {
        Builder b = new Builder();
        b.dims(dims);
        return b.build();
    }

    public Builder toBuilder() { return new Builder(this); }

    /** 1 or 2. */
    public int version() { return version; }
    public ByteOrder byteOrder() { return byteOrder; }
    /** True for a {@code .nii} (magic n+1/n+2), false for a {@code .hdr/.img} pair (ni1/ni2). */
    public boolean singleFile() { return singleFile; }
    public String magic() { return (singleFile ? "n+" : "ni") + version; }
    public int sizeofHdr() { return version == 2 ? SIZEOF_NIFTI2 : SIZEOF_NIFTI1; }
    /** The raw {@code dim[0..7]} array: dim[0] is the number of dimensions. */
    public long[] dim() { return dim.clone(); }
    /** The raw {@code pixdim[0..7]} array: pixdim[0] is qfac, pixdim[1..3] voxel sizes, pixdim[4] the TR. */
    public double[] pixdim() { return pixdim.clone(); }
    public int datatypeCode() { return datatypeCode; }
    /** The datatype, or null when the header's code is one we do not support. */
    public NiftiDatatype datatype() { return NiftiDatatype.fromCode(datatypeCode); }
    public int bitpix() { return bitpix; }
    public int intentCode() { return intentCode; }
    public double intentP1() { return intentP1; }
    public double intentP2() { return intentP2; }
    public double intentP3() { return intentP3; }
    public String intentName() { return intentName; }
    public double sclSlope() { return sclSlope; }
    public double sclInter() { return sclInter; }
    public long voxOffset() { return voxOffset; }
    public double calMin() { return calMin; }
    public double calMax() { return calMax; }
    public long sliceStart() { return sliceStart; }
    public long sliceEnd() { return sliceEnd; }
    public int sliceCode() { return sliceCode; }
    public double sliceDuration() { return sliceDuration; }
    public double toffset() { return toffset; }
    public int xyztUnits() { return xyztUnits; }
    public int dimInfo() { return dimInfo; }
    public int qformCode() { return qformCode; }
    public int sformCode() { return sformCode; }
    public double quaternB() { return quaternB; }
    public double quaternC() { return quaternC; }
    public double quaternD() { return quaternD; }
    public double qoffsetX() { return qoffsetX; }
    public double qoffsetY() { return qoffsetY; }
    public double qoffsetZ() { return qoffsetZ; }
    public double[] srowX() { return srowX.clone(); }
    public double[] srowY() { return srowY.clone(); }
    public double[] srowZ() { return srowZ.clone(); }
    public String descrip() { return descrip; }
    public String auxFile() { return auxFile; }

    /** The dims as nibabel's {@code img.shape}: {@code dim[1..dim[0]]}. */
    public long[] shape() {
        int n = (int) Math.max(0, Math.min(7, dim[0]));
        return Arrays.copyOfRange(dim, 1, 1 + n);
    }

    /** Number of voxels: the product of {@link #shape()}. */
    public long voxelCount() {
        long n = 1;
        for (long d : shape()) n *= d;
        return n;
    }

    /** The qform as a 4x4 matrix (nibabel's {@code get_qform()}). */
    public double[][] qformMatrix() { return Affines.qform(this); }

    /** The sform as a 4x4 matrix (nibabel's {@code get_sform()}). */
    public double[][] sformMatrix() { return Affines.sform(this); }

    /** The voxel-to-world affine exactly as nibabel's {@code img.affine}. */
    public double[][] affine() { return Affines.best(this); }

    /** NIfTI's name for a qform/sform code. */
    public static String xformName(int code) {
        return switch (code) {
            case 0 -> "unknown";
            case 1 -> "scanner";
            case 2 -> "aligned";
            case 3 -> "talairach";
            case 4 -> "mni";
            case 5 -> "template";
            default -> "invalid";
        };
    }

    /** Spatial unit of {@code xyzt_units} (bits 0..2). */
    public String spatialUnitName() {
        return switch (xyztUnits & 0x07) {
            case 0 -> "unknown";
            case 1 -> "meter";
            case 2 -> "mm";
            case 3 -> "micron";
            default -> "invalid";
        };
    }

    /** Temporal unit of {@code xyzt_units} (bits 3..5). */
    public String timeUnitName() {
        return switch (xyztUnits & 0x38) {
            case 0 -> "unknown";
            case 8 -> "sec";
            case 16 -> "msec";
            case 24 -> "usec";
            case 32 -> "hz";
            case 40 -> "ppm";
            case 48 -> "rads";
            default -> "invalid";
        };
    }

    /** Mutable twin used to read, derive and build headers. Defaults: NIfTI-1 .nii, little-endian, float32. */
    public static final class Builder {
        int version = 1;
        ByteOrder byteOrder = ByteOrder.LITTLE_ENDIAN;
        boolean singleFile = true;
        long[] dim = {3, 1, 1, 1, 1, 1, 1, 1};
        double[] pixdim = {1, 1, 1, 1, 1, 1, 1, 1};
        int datatypeCode = NiftiDatatype.FLOAT32.code(), bitpix = NiftiDatatype.FLOAT32.bitpix();
        int intentCode;
        double intentP1, intentP2, intentP3;
        String intentName = "";
        double sclSlope = 1, sclInter = 0;
        long voxOffset = SIZEOF_NIFTI1 + 4;
        double calMin, calMax;
        long sliceStart, sliceEnd;
        int sliceCode;
        double sliceDuration, toffset;
        int xyztUnits, dimInfo;
        int qformCode, sformCode;
        double quaternB, quaternC, quaternD, qoffsetX, qoffsetY, qoffsetZ;
        double[] srowX = {1, 0, 0, 0}, srowY = {0, 1, 0, 0}, srowZ = {0, 0, 1, 0};
        String descrip = "", auxFile = "";

        public Builder() {}

        Builder(NiftiHeader h) {
            version = h.version; byteOrder = h.byteOrder; singleFile = h.singleFile;
            dim = h.dim.clone(); pixdim = h.pixdim.clone();
            datatypeCode = h.datatypeCode; bitpix = h.bitpix;
            intentCode = h.intentCode; intentP1 = h.intentP1; intentP2 = h.intentP2; intentP3 = h.intentP3;
            intentName = h.intentName;
            sclSlope = h.sclSlope; sclInter = h.sclInter; voxOffset = h.voxOffset;
            calMin = h.calMin; calMax = h.calMax;
            sliceStart = h.sliceStart; sliceEnd = h.sliceEnd; sliceCode = h.sliceCode;
            sliceDuration = h.sliceDuration; toffset = h.toffset;
            xyztUnits = h.xyztUnits; dimInfo = h.dimInfo;
            qformCode = h.qformCode; sformCode = h.sformCode;
            quaternB = h.quaternB; quaternC = h.quaternC; quaternD = h.quaternD;
            qoffsetX = h.qoffsetX; qoffsetY = h.qoffsetY; qoffsetZ = h.qoffsetZ;
            srowX = h.srowX.clone(); srowY = h.srowY.clone(); srowZ = h.srowZ.clone();
            descrip = h.descrip; auxFile = h.auxFile;
        }

        public NiftiHeader build() { return new NiftiHeader(this); }

        public Builder version(int v) { version = v; return this; }
        public Builder byteOrder(ByteOrder o) { byteOrder = o; return this; }
        public Builder singleFile(boolean s) { singleFile = s; return this; }
        public Builder dim(long[] d) { dim = Arrays.copyOf(d, 8); return this; }
        /** Sets dim[0] to the number of dims given and dim[1..] to them; the unused slots become 1. */
        public Builder dims(int... d) {
            if (d.length < 1 || d.length > 7) throw new IllegalArgumentException("1 to 7 dims, got " + d.length);
            long[] nd = {d.length, 1, 1, 1, 1, 1, 1, 1};
            for (int i = 0; i < d.length; i++) nd[i + 1] = d[i];
            dim = nd;
            return this;
        }
        public Builder pixdim(double[] p) { pixdim = Arrays.copyOf(p, 8); return this; }
        public Builder datatype(NiftiDatatype t) { datatypeCode = t.code(); bitpix = t.bitpix(); return this; }
        public Builder datatypeCode(int c) { datatypeCode = c; return this; }
        public Builder bitpix(int b) { bitpix = b; return this; }
        public Builder intent(int code, double p1, double p2, double p3, String name) {
            intentCode = code; intentP1 = p1; intentP2 = p2; intentP3 = p3; intentName = name; return this;
        }
        public Builder scaling(double slope, double inter) { sclSlope = slope; sclInter = inter; return this; }
        public Builder voxOffset(long o) { voxOffset = o; return this; }
        public Builder cal(double min, double max) { calMin = min; calMax = max; return this; }
        public Builder slice(long start, long end, int code, double duration) {
            sliceStart = start; sliceEnd = end; sliceCode = code; sliceDuration = duration; return this;
        }
        public Builder toffset(double t) { toffset = t; return this; }
        public Builder xyztUnits(int u) { xyztUnits = u; return this; }
        public Builder dimInfo(int d) { dimInfo = d; return this; }
        public Builder qform(int code, double b, double c, double d, double x, double y, double z) {
            qformCode = code; quaternB = b; quaternC = c; quaternD = d; qoffsetX = x; qoffsetY = y; qoffsetZ = z;
            return this;
        }
        public Builder qformCode(int code) { qformCode = code; return this; }
        public Builder sform(int code, double[] x, double[] y, double[] z) {
            sformCode = code; srowX = Arrays.copyOf(x, 4); srowY = Arrays.copyOf(y, 4); srowZ = Arrays.copyOf(z, 4);
            return this;
        }
        public Builder sformCode(int code) { sformCode = code; return this; }
        /** Sets the sform to the first three rows of a 4x4 voxel-to-world affine. */
        public Builder sform(int code, double[][] affine) { return sform(code, affine[0], affine[1], affine[2]); }
        /**
         * Sets the qform (quaternion, offsets, qfac in pixdim[0], voxel sizes in pixdim[1..3]) to the nearest rigid
         * transform plus scaling of {@code affine}; exact for any affine without shear.
         */
        public Builder qform(int code, double[][] affine) {
            double[] q = Quaternions.fromAffine(affine);
            qform(code, q[0], q[1], q[2], q[7], q[8], q[9]);
            pixdim[0] = q[3];
            pixdim[1] = q[4];
            pixdim[2] = q[5];
            pixdim[3] = q[6];
            return this;
        }
        public Builder descrip(String s) { descrip = s; return this; }
        public Builder auxFile(String s) { auxFile = s; return this; }
    }
}
