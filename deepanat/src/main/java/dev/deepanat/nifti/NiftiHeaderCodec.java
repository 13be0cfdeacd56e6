package dev.deepanat.nifti;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Binary layout of NIfTI-1 (348 bytes) and NIfTI-2 (540 bytes) headers. The version and byte order are told by
 * {@code sizeof_hdr}, the first int: 348 or 540 in one of the two byte orders.
 */
final class NiftiHeaderCodec {
    private NiftiHeaderCodec() {}

    /** What the first four bytes say; {@code version} is 0 when they are not a NIfTI sizeof_hdr. */
    record Probe(int version, ByteOrder order) {}

    static Probe probe(byte[] first4) {
        for (ByteOrder o : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            int s = ByteBuffer.wrap(first4, 0, 4).order(o).getInt();
            if (s == NiftiHeader.SIZEOF_NIFTI1) return new Probe(1, o);
            if (s == NiftiHeader.SIZEOF_NIFTI2) return new Probe(2, o);
        }
        return new Probe(0, ByteOrder.LITTLE_ENDIAN);
    }

    /** Thrown for a header whose fields cannot describe a NIfTI image; the caller adds the file name. */
    static final class BadHeader extends Exception {
        BadHeader(String message) { super(message); }
    }

    /** Decodes a whole header (348 or 540 bytes, as the probe said). */
    static NiftiHeader decode(byte[] bytes, Probe p) throws BadHeader {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(p.order());
        return p.version() == 2 ? decode2(b) : decode1(b);
    }

    private static NiftiHeader decode1(ByteBuffer b) throws BadHeader {
        String magic = string(b, 344, 4);
        boolean single = checkMagic(magic, "1");
        NiftiHeader.Builder h = new NiftiHeader.Builder().version(1).byteOrder(b.order()).singleFile(single);
        long[] dim = new long[8];
        for (int i = 0; i < 8; i++) dim[i] = b.getShort(40 + 2 * i);
        double[] pixdim = new double[8];
        for (int i = 0; i < 8; i++) pixdim[i] = b.getFloat(76 + 4 * i);
        h.dim(dim).pixdim(pixdim)
                .dimInfo(b.get(39) & 0xff)
                .intent(b.getShort(68), b.getFloat(56), b.getFloat(60), b.getFloat(64), string(b, 328, 16))
                .datatypeCode(b.getShort(70)).bitpix(b.getShort(72))
                // vox_offset is a float in NIfTI-1; nibabel truncates it to an int the same way.
                .voxOffset((long) b.getFloat(108))
                .scaling(b.getFloat(112), b.getFloat(116))
                .slice(b.getShort(74), b.getShort(120), b.get(122) & 0xff, b.getFloat(132))
                .xyztUnits(b.get(123) & 0xff)
                .cal(b.getFloat(128), b.getFloat(124))
                .toffset(b.getFloat(136))
                .descrip(string(b, 148, 80)).auxFile(string(b, 228, 24))
                .qform(b.getShort(252), b.getFloat(256), b.getFloat(260), b.getFloat(264),
                        b.getFloat(268), b.getFloat(272), b.getFloat(276))
                .sform(b.getShort(254), floats(b, 280), floats(b, 296), floats(b, 312));
        return checked(h.build());
    }

    private static NiftiHeader decode2(ByteBuffer b) throws BadHeader {
        String magic = string(b, 4, 4);
        boolean single = checkMagic(magic, "2");
        NiftiHeader.Builder h = new NiftiHeader.Builder().version(2).byteOrder(b.order()).singleFile(single);
        long[] dim = new long[8];
        for (int i = 0; i < 8; i++) dim[i] = b.getLong(16 + 8 * i);
        double[] pixdim = new double[8];
        for (int i = 0; i < 8; i++) pixdim[i] = b.getDouble(104 + 8 * i);
        h.dim(dim).pixdim(pixdim)
                .datatypeCode(b.getShort(12)).bitpix(b.getShort(14))
                .intent(b.getInt(504), b.getDouble(80), b.getDouble(88), b.getDouble(96), string(b, 508, 16))
                .voxOffset(b.getLong(168))
                .scaling(b.getDouble(176), b.getDouble(184))
                .cal(b.getDouble(200), b.getDouble(192))
                .slice(b.getLong(224), b.getLong(232), b.getInt(496), b.getDouble(208))
                .toffset(b.getDouble(216))
                .descrip(string(b, 240, 80)).auxFile(string(b, 320, 24))
                .qform(b.getInt(344), b.getDouble(352), b.getDouble(360), b.getDouble(368),
                        b.getDouble(376), b.getDouble(384), b.getDouble(392))
                .sform(b.getInt(348), doubles(b, 400), doubles(b, 432), doubles(b, 464))
                .xyztUnits(b.getInt(500))
                .dimInfo(b.get(524) & 0xff);
        return checked(h.build());
    }

    /** True for the single-file magic (n+1/n+2), false for a pair (ni1/ni2); anything else is not NIfTI. */
    private static boolean checkMagic(String magic, String version) throws BadHeader {
        if (magic.equals("n+" + version)) return true;
        if (magic.equals("ni" + version)) return false;
        throw new BadHeader("not a NIfTI-" + version + " file (magic \"" + printable(magic) + "\", expected \"n+"
                + version + "\" or \"ni" + version + "\"; plain ANALYZE 7.5 is not supported)");
    }

    private static NiftiHeader checked(NiftiHeader h) throws BadHeader {
        long[] d = h.dim();
        if (d[0] < 1 || d[0] > 7) throw new BadHeader("bad dim[0] = " + d[0] + " (must be 1..7)");
        for (int i = 1; i <= d[0]; i++)
            if (d[i] < 1) throw new BadHeader("bad dim[" + i + "] = " + d[i] + " (must be positive)");
        if (h.voxOffset() < 0) throw new BadHeader("bad vox_offset = " + h.voxOffset());
        return h;
    }

    /** Encodes {@code h} in its version and byte order; the 4 extension bytes after the header are not included. */
    static byte[] encode(NiftiHeader h) {
        ByteBuffer b = ByteBuffer.allocate(h.sizeofHdr()).order(h.byteOrder());
        long[] dim = h.dim();
        double[] pixdim = h.pixdim();
        b.putInt(0, h.sizeofHdr());
        if (h.version() == 2) {
            putString(b, 4, 8, h.magic() + "\0\r\n\032\n");
            b.putShort(12, (short) h.datatypeCode()).putShort(14, (short) h.bitpix());
            for (int i = 0; i < 8; i++) b.putLong(16 + 8 * i, dim[i]);
            b.putDouble(80, h.intentP1()).putDouble(88, h.intentP2()).putDouble(96, h.intentP3());
            for (int i = 0; i < 8; i++) b.putDouble(104 + 8 * i, pixdim[i]);
            b.putLong(168, h.voxOffset());
            b.putDouble(176, h.sclSlope()).putDouble(184, h.sclInter());
            b.putDouble(192, h.calMax()).putDouble(200, h.calMin());
            b.putDouble(208, h.sliceDuration()).putDouble(216, h.toffset());
            b.putLong(224, h.sliceStart()).putLong(232, h.sliceEnd());
            putString(b, 240, 80, h.descrip());
            putString(b, 320, 24, h.auxFile());
            b.putInt(344, h.qformCode()).putInt(348, h.sformCode());
            b.putDouble(352, h.quaternB()).putDouble(360, h.quaternC()).putDouble(368, h.quaternD());
            b.putDouble(376, h.qoffsetX()).putDouble(384, h.qoffsetY()).putDouble(392, h.qoffsetZ());
            putDoubles(b, 400, h.srowX());
            putDoubles(b, 432, h.srowY());
            putDoubles(b, 464, h.srowZ());
            b.putInt(496, h.sliceCode()).putInt(500, h.xyztUnits()).putInt(504, h.intentCode());
            putString(b, 508, 16, h.intentName());
            b.put(524, (byte) h.dimInfo());
        } else {
            b.put(38, (byte) 'r'); // "regular", as nibabel and FSL write it
            b.put(39, (byte) h.dimInfo());
            for (int i = 0; i < 8; i++) b.putShort(40 + 2 * i, (short) dim[i]);
            b.putFloat(56, (float) h.intentP1()).putFloat(60, (float) h.intentP2()).putFloat(64, (float) h.intentP3());
            b.putShort(68, (short) h.intentCode());
            b.putShort(70, (short) h.datatypeCode()).putShort(72, (short) h.bitpix());
            b.putShort(74, (short) h.sliceStart());
            for (int i = 0; i < 8; i++) b.putFloat(76 + 4 * i, (float) pixdim[i]);
            b.putFloat(108, h.voxOffset());
            b.putFloat(112, (float) h.sclSlope()).putFloat(116, (float) h.sclInter());
            b.putShort(120, (short) h.sliceEnd());
            b.put(122, (byte) h.sliceCode()).put(123, (byte) h.xyztUnits());
            b.putFloat(124, (float) h.calMax()).putFloat(128, (float) h.calMin());
            b.putFloat(132, (float) h.sliceDuration()).putFloat(136, (float) h.toffset());
            putString(b, 148, 80, h.descrip());
            putString(b, 228, 24, h.auxFile());
            b.putShort(252, (short) h.qformCode()).putShort(254, (short) h.sformCode());
            b.putFloat(256, (float) h.quaternB()).putFloat(260, (float) h.quaternC()).putFloat(264, (float) h.quaternD());
            b.putFloat(268, (float) h.qoffsetX()).putFloat(272, (float) h.qoffsetY()).putFloat(276, (float) h.qoffsetZ());
            putFloats(b, 280, h.srowX());
            putFloats(b, 296, h.srowY());
            putFloats(b, 312, h.srowZ());
            putString(b, 328, 16, h.intentName());
            putString(b, 344, 4, h.magic());
        }
        return b.array();
    }

    private static double[] floats(ByteBuffer b, int at) {
        return new double[] {b.getFloat(at), b.getFloat(at + 4), b.getFloat(at + 8), b.getFloat(at + 12)};
    }

    private static double[] doubles(ByteBuffer b, int at) {
        return new double[] {b.getDouble(at), b.getDouble(at + 8), b.getDouble(at + 16), b.getDouble(at + 24)};
    }

    private static void putFloats(ByteBuffer b, int at, double[] v) {
        for (int i = 0; i < 4; i++) b.putFloat(at + 4 * i, (float) v[i]);
    }

    private static void putDoubles(ByteBuffer b, int at, double[] v) {
        for (int i = 0; i < 4; i++) b.putDouble(at + 8 * i, v[i]);
    }

    /** A C string field: bytes up to the first NUL (or the field's end), read as Latin-1 so any byte survives. */
    private static String string(ByteBuffer b, int at, int len) {
        int n = 0;
        while (n < len && b.get(at + n) != 0) n++;
        byte[] s = new byte[n];
        b.get(at, s);
        return new String(s, StandardCharsets.ISO_8859_1);
    }

    /** Writes {@code s} truncated to the field; the rest stays NUL (the buffer starts zeroed). */
    private static void putString(ByteBuffer b, int at, int len, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        b.put(at, bytes, 0, Math.min(len, bytes.length));
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) sb.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        return sb.toString();
    }
}
