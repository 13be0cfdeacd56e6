package dev.deepanat.phantom;

import dev.deepanat.diffusion.GradientTable;

import java.util.SplittableRandom;

/**
 * The phantom's acquisition: {@code b0s} b=0 volumes spread evenly through the series, {@code directions} DWIs at
 * b=1000 and optionally as many at b=2000. Directions of each shell come from electrostatic repulsion of
 * antipodally symmetric charges (Jones et al. 1999), started from seeded random points.
 */
public final class GradientScheme {
    private GradientScheme() {}

    public static GradientTable build(int b0s, int directions, boolean b2000, long seed) {
        int shells = b2000 ? 2 : 1;
        int total = b0s + shells * directions;
        double[] bvals = new double[total];
        double[] bvecs = new double[3 * total];
        boolean[] isB0 = new boolean[total];
        for (int k = 0; k < b0s; k++) isB0[(int) Math.round((double) k * total / b0s)] = true;
        double[][] shellDirs = new double[shells][];
        for (int s = 0; s < shells; s++) shellDirs[s] = repulsion(directions, seed * 31 + s);
        int next = 0;
        for (int i = 0; i < total; i++) {
            if (isB0[i]) continue;
            int shell = next % shells, k = next / shells; // interleave the shells
            next++;
            bvals[i] = shell == 0 ? 1000 : 2000;
            System.arraycopy(shellDirs[shell], 3 * k, bvecs, 3 * i, 3);
        }
        return new GradientTable(bvals, bvecs);
    }

    /** n unit vectors minimising Σ 1/|a−b| + 1/|a+b| by normalised gradient steps. */
    static double[] repulsion(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] p = new double[3 * n];
        for (int i = 0; i < n; i++) {
            double z = 2 * r.nextDouble() - 1, phi = 2 * Math.PI * r.nextDouble(), s = Math.sqrt(1 - z * z);
            p[3 * i] = s * Math.cos(phi); p[3 * i + 1] = s * Math.sin(phi); p[3 * i + 2] = z;
        }
        double[] f = new double[3 * n];
        double step = 0.1;
        for (int it = 0; it < 300; it++) {
            java.util.Arrays.fill(f, 0);
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                    for (int sign = -1; sign <= 1; sign += 2) {
                        double dx = p[3 * i] - sign * p[3 * j], dy = p[3 * i + 1] - sign * p[3 * j + 1], dz = p[3 * i + 2] - sign * p[3 * j + 2];
                        double d2 = dx * dx + dy * dy + dz * dz + 1e-12, inv3 = 1 / (d2 * Math.sqrt(d2));
                        f[3 * i] += dx * inv3; f[3 * i + 1] += dy * inv3; f[3 * i + 2] += dz * inv3;
                        f[3 * j] -= sign * dx * inv3; f[3 * j + 1] -= sign * dy * inv3; f[3 * j + 2] -= sign * dz * inv3;
                    }
            double fmax = 1e-12;
            for (double v : f) fmax = Math.max(fmax, Math.abs(v));
            for (int i = 0; i < 3 * n; i++) p[i] += step * f[i] / fmax;
            for (int i = 0; i < n; i++) {
                double norm = Math.sqrt(p[3 * i] * p[3 * i] + p[3 * i + 1] * p[3 * i + 1] + p[3 * i + 2] * p[3 * i + 2]);
                p[3 * i] /= norm; p[3 * i + 1] /= norm; p[3 * i + 2] /= norm;
            }
            step *= 0.985;
        }
        for (int i = 0; i < n; i++) if (p[3 * i + 2] < 0) for (int c = 0; c < 3; c++) p[3 * i + c] = -p[3 * i + c]; // z ≥ 0 convention
        return p;
    }
}
