package dev.deepanat.phantom;

/**
 * Seeded smooth value noise in 3-D: random values in [-1, 1] on the integer lattice (from a hash, so no table and
 * no state), blended with smoothstep weights. Pure function of (seed, x, y, z): safe to call from any thread and
 * deterministic regardless of evaluation order.
 */
public final class SmoothNoise {
    private final long seed;

    public SmoothNoise(long seed) { this.seed = seed; }

    public double at(double x, double y, double z) {
        double fx = Math.floor(x), fy = Math.floor(y), fz = Math.floor(z);
        long ix = (long) fx, iy = (long) fy, iz = (long) fz;
        double tx = fade(x - fx), ty = fade(y - fy), tz = fade(z - fz);
        double c00 = lerp(tx, lattice(ix, iy, iz), lattice(ix + 1, iy, iz));
        double c10 = lerp(tx, lattice(ix, iy + 1, iz), lattice(ix + 1, iy + 1, iz));
        double c01 = lerp(tx, lattice(ix, iy, iz + 1), lattice(ix + 1, iy, iz + 1));
        double c11 = lerp(tx, lattice(ix, iy + 1, iz + 1), lattice(ix + 1, iy + 1, iz + 1));
        return lerp(tz, lerp(ty, c00, c10), lerp(ty, c01, c11));
    }

    /** Two octaves; still in about [-1, 1]. */
    public double fractal(double x, double y, double z) {
        return 0.7 * at(x, y, z) + 0.3 * at(2.03 * x + 17.1, 2.03 * y + 5.3, 2.03 * z + 9.7);
    }

    private double lattice(long x, long y, long z) {
        long h = seed ^ (x * 0x9E3779B97F4A7C15L) ^ (y * 0xC2B2AE3D27D4EB4FL) ^ (z * 0x165667B19E3779F9L);
        h = mix(h);
        return ((h >>> 11) * 0x1.0p-53) * 2 - 1;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static double fade(double t) { return t * t * (3 - 2 * t); }

    private static double lerp(double t, double a, double b) { return a + t * (b - a); }
}
