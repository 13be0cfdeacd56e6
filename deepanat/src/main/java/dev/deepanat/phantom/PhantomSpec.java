package dev.deepanat.phantom;

import dev.deepanat.common.UserError;

/**
 * Options of {@code deepanat phantom}. {@code noise = false} gives the noise-free signals used to check the fit
 * against the ground truth.
 */
public record PhantomSpec(int subjects, int size, long seed, int directions, int b0s, boolean b2000, boolean noise) {
    /** Voxel size at the default 96³ grid; the field of view (144 mm) stays fixed when {@code size} changes. */
    public static final double VOXEL_MM_AT_96 = 1.5;

    public PhantomSpec {
        if (subjects < 1 || subjects > 999) throw new UserError("--subjects: must be 1..999, got " + subjects);
        if (size < 16 || size > 512) throw new UserError("--size: must be 16..512, got " + size);
        if (directions < 6 || directions > 512) throw new UserError("--directions: must be 6..512, got " + directions);
        if (b0s < 1 || b0s > 64) throw new UserError("--b0s: must be 1..64, got " + b0s);
    }

    public double voxelMm() { return VOXEL_MM_AT_96 * 96.0 / size; }

    public static String subjectId(int index) { return String.format("sub-%02d", index + 1); }
}
