package dev.deepanat.nifti;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Converts between on-disk voxel bytes and float32, one chunk at a time. Each datatype gets its own loop so the
 * hot path has no per-voxel branch, boxing or virtual call.
 */
final class VoxelCodec {
    private VoxelCodec() {}

    /** Decodes {@code n} voxels of {@code type} from {@code chunk[0..n*bytes)} into {@code out[at..at+n)}. */
    static void decode(byte[] chunk, int n, NiftiDatatype type, ByteOrder order, float[] out, int at) {
        ByteBuffer b = ByteBuffer.wrap(chunk).order(order);
        switch (type) {
            case UINT8 -> { for (int i = 0; i < n; i++) out[at + i] = chunk[i] & 0xff; }
            case INT8 -> { for (int i = 0; i < n; i++) out[at + i] = chunk[i]; }
            case INT16 -> { for (int i = 0; i < n; i++) out[at + i] = b.getShort(2 * i); }
            case UINT16 -> { for (int i = 0; i < n; i++) out[at + i] = b.getShort(2 * i) & 0xffff; }
            case INT32 -> { for (int i = 0; i < n; i++) out[at + i] = b.getInt(4 * i); }
            case UINT32 -> { for (int i = 0; i < n; i++) out[at + i] = b.getInt(4 * i) & 0xffffffffL; }
            case INT64 -> { for (int i = 0; i < n; i++) out[at + i] = b.getLong(8 * i); }
            case FLOAT32 -> b.asFloatBuffer().get(out, at, n);
            case FLOAT64 -> { for (int i = 0; i < n; i++) out[at + i] = (float) b.getDouble(8 * i); }
        }
    }

    /**
     * Encodes {@code data[at..at+n)} as {@code type} into {@code chunk}. Integer types round half to even (as numpy's
     * rint) and clamp to the type's range; NaN becomes 0.
     */
    static void encode(float[] data, int at, int n, NiftiDatatype type, ByteOrder order, byte[] chunk) {
        ByteBuffer b = ByteBuffer.wrap(chunk).order(order);
        switch (type) {
            case UINT8 -> { for (int i = 0; i < n; i++) chunk[i] = (byte) clampInt(data[at + i], 0, 255); }
            case INT8 -> { for (int i = 0; i < n; i++) chunk[i] = (byte) clampInt(data[at + i], -128, 127); }
            case INT16 -> { for (int i = 0; i < n; i++) b.putShort(2 * i, (short) clampInt(data[at + i], -32768, 32767)); }
            case UINT16 -> { for (int i = 0; i < n; i++) b.putShort(2 * i, (short) clampInt(data[at + i], 0, 65535)); }
            case INT32 -> { for (int i = 0; i < n; i++) b.putInt(4 * i, (int) clampLong(data[at + i], Integer.MIN_VALUE, Integer.MAX_VALUE)); }
            case UINT32 -> { for (int i = 0; i < n; i++) b.putInt(4 * i, (int) clampLong(data[at + i], 0, 0xffffffffL)); }
            case INT64 -> { for (int i = 0; i < n; i++) b.putLong(8 * i, clampLong(data[at + i], Long.MIN_VALUE, Long.MAX_VALUE)); }
            case FLOAT32 -> b.asFloatBuffer().put(data, at, n);
            case FLOAT64 -> { for (int i = 0; i < n; i++) b.putDouble(8 * i, data[at + i]); }
        }
    }

    private static int clampInt(float v, int lo, int hi) {
        if (v != v) return 0;
        double r = Math.rint(v);
        return r <= lo ? lo : r >= hi ? hi : (int) r;
    }

    private static long clampLong(float v, long lo, long hi) {
        if (v != v) return 0;
        double r = Math.rint(v);
        // (long) saturates at Long.MIN/MAX, so only the narrower ranges need the explicit bounds.
        long l = (long) r;
        return l < lo ? lo : l > hi ? hi : l;
    }
}
