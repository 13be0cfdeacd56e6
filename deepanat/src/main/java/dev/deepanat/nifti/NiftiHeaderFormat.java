package dev.deepanat.nifti;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;

/** Renders a header as "name value" lines, in the spirit of FSL's fslhd and nifti_tool -disp_hdr. */
public final class NiftiHeaderFormat {
    private NiftiHeaderFormat() {}

    public static String format(Path file, NiftiHeader h) {
        StringBuilder s = new StringBuilder();
        line(s, "filename", file.toString());
        line(s, "nifti_type", "NIFTI-" + h.version() + (h.singleFile() ? "+ (single .nii file)" : " (.hdr/.img pair)"));
        line(s, "magic", h.magic());
        line(s, "sizeof_hdr", String.valueOf(h.sizeofHdr()));
        line(s, "byte_order", h.byteOrder() == ByteOrder.LITTLE_ENDIAN ? "little-endian" : "big-endian");
        long[] dim = h.dim();
        for (int i = 0; i < 8; i++) line(s, "dim" + i, String.valueOf(dim[i]));
        long[] shape = h.shape();
        StringBuilder sh = new StringBuilder();
        for (long d : shape) sh.append(sh.isEmpty() ? "" : " x ").append(d);
        line(s, "shape", sh + " (" + h.voxelCount() + " voxels)");
        double[] pixdim = h.pixdim();
        for (int i = 0; i < 8; i++) line(s, "pixdim" + i, num(pixdim[i]));
        line(s, "datatype", NiftiDatatype.describeCode(h.datatypeCode()) + " (" + h.datatypeCode() + ")"
                + (h.datatype() == null ? " unsupported" : ""));
        line(s, "bitpix", String.valueOf(h.bitpix()));
        line(s, "scl_slope", num(h.sclSlope()));
        line(s, "scl_inter", num(h.sclInter()));
        line(s, "vox_offset", String.valueOf(h.voxOffset()));
        line(s, "xyzt_units", h.xyztUnits() + " (space: " + h.spatialUnitName() + ", time: " + h.timeUnitName() + ")");
        line(s, "cal_min", num(h.calMin()));
        line(s, "cal_max", num(h.calMax()));
        line(s, "intent_code", h.intentCode() + " (" + intentName(h.intentCode()) + ")");
        line(s, "intent_p1", num(h.intentP1()));
        line(s, "intent_p2", num(h.intentP2()));
        line(s, "intent_p3", num(h.intentP3()));
        line(s, "intent_name", quote(h.intentName()));
        line(s, "descrip", quote(h.descrip()));
        line(s, "aux_file", quote(h.auxFile()));
        line(s, "dim_info", h.dimInfo() + " (freq " + (h.dimInfo() & 3) + ", phase " + ((h.dimInfo() >> 2) & 3)
                + ", slice " + ((h.dimInfo() >> 4) & 3) + ")");
        line(s, "slice_code", String.valueOf(h.sliceCode()));
        line(s, "slice_start", String.valueOf(h.sliceStart()));
        line(s, "slice_end", String.valueOf(h.sliceEnd()));
        line(s, "slice_duration", num(h.sliceDuration()));
        line(s, "toffset", num(h.toffset()));
        line(s, "qform_code", h.qformCode() + " (" + NiftiHeader.xformName(h.qformCode()) + ")");
        line(s, "quatern_b", num(h.quaternB()));
        line(s, "quatern_c", num(h.quaternC()));
        line(s, "quatern_d", num(h.quaternD()));
        line(s, "qoffset_x", num(h.qoffsetX()));
        line(s, "qoffset_y", num(h.qoffsetY()));
        line(s, "qoffset_z", num(h.qoffsetZ()));
        matrix(s, "qto_xyz", h.qformMatrix());
        line(s, "sform_code", h.sformCode() + " (" + NiftiHeader.xformName(h.sformCode()) + ")");
        matrix(s, "sto_xyz", h.sformMatrix());
        String from = Affines.validCode(h.sformCode()) != 0 ? "sform" : Affines.validCode(h.qformCode()) != 0 ? "qform" : "pixdim";
        line(s, "affine_from", from + " (the voxel-to-world matrix nibabel reports)");
        matrix(s, "affine", h.affine());
        return s.toString();
    }

    private static void line(StringBuilder s, String name, String value) {
        s.append(String.format(Locale.ROOT, "%-15s %s%n", name, value));
    }

    private static void matrix(StringBuilder s, String name, double[][] m) {
        for (int i = 0; i < 4; i++)
            line(s, name + ":" + (i + 1), String.format(Locale.ROOT, "%12.6f %12.6f %12.6f %12.6f",
                    clean(m[i][0]), clean(m[i][1]), clean(m[i][2]), clean(m[i][3])));
    }

    /** Rounds away float noise so a -0.0000001 does not print as "-0.000000". */
    private static double clean(double v) { return Math.abs(v) < 5e-7 ? 0.0 : v; }

    /** Integral values without decimals, others with up to 6 significant digits. */
    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.valueOf((long) v);
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replace(".e", "e").replaceAll("\\.$", "");
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("'");
        for (char c : s.toCharArray()) q.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        return q.append('\'').toString();
    }

    static String intentName(int code) {
        return switch (code) {
            case 0 -> "none";
            case 2 -> "correlation";
            case 3 -> "t-test";
            case 4 -> "f-test";
            case 5 -> "z-score";
            case 6 -> "chi-squared";
            case 1001 -> "estimate";
            case 1002 -> "label";
            case 1003 -> "neuroname";
            case 1004 -> "general matrix";
            case 1005 -> "symmetric matrix";
            case 1006 -> "displacement vector";
            case 1007 -> "vector";
            case 1008 -> "pointset";
            case 1009 -> "triangle";
            case 1010 -> "quaternion";
            case 1011 -> "dimensionless";
            case 2001 -> "time series";
            case 2002 -> "node index";
            case 2003 -> "rgb vector";
            case 2004 -> "rgba vector";
            case 2005 -> "shape";
            default -> code >= 3 && code <= 24 ? "statistic" : "other";
        };
    }
}
