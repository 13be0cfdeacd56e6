package dev.deepanat.diffusion;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrainMaskTest {

    @Test
    void medianOtsuFindsANoisyBallAndFillsItsHole() {
        int n = 64; // a ball of radius 26; four 9³ median passes erode a curved surface by about a voxel, as in dipy
        float[] img = new float[n * n * n];
        boolean[] truth = new boolean[img.length];
        SplittableRandom r = new SplittableRandom(1);
        for (int z = 0; z < n; z++)
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++) {
                    int i = (z * n + y) * n + x;
                    double d = Math.sqrt((x - 32) * (x - 32) + (y - 31) * (y - 31) + (z - 33) * (z - 33));
                    truth[i] = d <= 26;
                    double s = d <= 26 ? (d < 4 ? 30 : 500) : 20; // a dark "ventricle" in the middle
                    img[i] = (float) Math.abs(s + 40 * r.nextGaussian());
                }
        boolean[] m = BrainMask.medianOtsu(img, n, n, n);
        int agree = 0;
        for (int i = 0; i < m.length; i++) if (m[i] == truth[i]) agree++;
        assertTrue(agree > 0.95 * m.length, "agreement " + agree + " of " + m.length);
        assertTrue(m[(33 * n + 31) * n + 32], "the central hole is filled");
    }

    @Test
    void medianFilterMatchesBruteForce() {
        int nx = 9, ny = 7, nz = 6, r = 2;
        short[] in = new short[nx * ny * nz];
        SplittableRandom rnd = new SplittableRandom(4);
        for (int i = 0; i < in.length; i++) in[i] = (short) rnd.nextInt(50);
        short[] out = MedianFilter3D.pass(in, nx, ny, nz, r);
        int[] win = new int[125];
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++) {
                    int k = 0;
                    for (int dz = -r; dz <= r; dz++)
                        for (int dy = -r; dy <= r; dy++)
                            for (int dx = -r; dx <= r; dx++)
                                win[k++] = in[(reflect(z + dz, nz) * ny + reflect(y + dy, ny)) * nx + reflect(x + dx, nx)];
                    java.util.Arrays.sort(win);
                    assertEquals(win[62], out[(z * ny + y) * nx + x]);
                }
    }

    private static int reflect(int i, int n) {
        while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - i - 1;
        return i;
    }
}
