package dev.deepanat.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MontageTest {
    // Unequal edges, so that a swapped axis moves or clips what the test looks at.
    static final int NX = 48, NY = 56, NZ = 40;
    // A bright blob in the anterior-right-superior part of the head (x right, y anterior, z superior).
    static final int BX = 32, BY = 40, BZ = 28;
    @TempDir Path dir;

    /** An ellipsoid brighter towards the subject's right, with the blob (value 400) at (BX, BY, BZ). */
    static float[] head(float[] mask) {
        float[] v = new float[NX * NY * NZ];
        for (int z = 0, i = 0; z < NZ; z++)
            for (int y = 0; y < NY; y++)
                for (int x = 0; x < NX; x++, i++) {
                    double ex = (x - 23.5) / 18, ey = (y - 27.5) / 23, ez = (z - 19.5) / 15;
                    if (ex * ex + ey * ey + ez * ez > 1) continue;
                    mask[i] = 1;
                    v[i] = 100 + 50f * x / NX;
                    int dx = x - BX, dy = y - BY, dz = z - BZ;
                    if (dx * dx + dy * dy + dz * dz <= 9) v[i] = 400;
                }
        return v;
    }

    /** The grey level at the centre of voxel (i, j) of a tile: i to the right, j down, as the views lay them out. */
    static int grey(BufferedImage img, int column, int view, int i, int j) {
        int s = Montage.scale(NX, NY, NZ), cellW = Math.max(NX, NY) * s;
        int[] tileW = {NX * s, NX * s, NY * s}, tileH = {NY * s, NZ * s, NZ * s};
        int top = Montage.HEADER;
        for (int v = 0; v < view; v++) top += tileH[v] + Montage.GAP;
        int left = Montage.GAP + column * (cellW + Montage.GAP) + (cellW - tileW[view]) / 2;
        return img.getRGB(left + i * s + s / 2, top + j * s + s / 2) & 0xff;
    }

    @Test
    void viewsAreOrientedNeurologicallyWithAnteriorAndSuperiorUp() throws Exception {
        float[] mask = new float[NX * NY * NZ], t1 = head(mask), half = t1.clone();
        for (int i = 0; i < half.length; i++) half[i] *= 0.5f;
        Montage.Window w = new Montage.Window(0, 400);
        Path png = dir.resolve("montage.png");
        Montage.write(png, NX, NY, NZ, new int[] {BX, BY, BZ},
                List.of(new Montage.Column("true T1w", t1, w), new Montage.Column("half", half, w)));
        BufferedImage img = ImageIO.read(png.toFile());
        int s = Montage.scale(NX, NY, NZ);
        assertEquals(4, s); // 56 · 4 = 224 ≥ 192
        assertEquals(Montage.GAP + 2 * (NY * s + Montage.GAP), img.getWidth());
        assertEquals(Montage.HEADER + 3 * Montage.GAP + (NY + 2 * NZ) * s, img.getHeight());
        for (int col = 0; col < 2; col++) {
            int blob = col == 0 ? 255 : 128, body = col == 0 ? 100 : 50; // 400 and at most 150 through the window [0, 400]
            // axial: x → right, y (anterior) up; the mirror images of the blob are plain tissue
            assertEquals(blob, grey(img, col, 0, BX, NY - 1 - BY), 2);
            assertTrue(grey(img, col, 0, NX - 1 - BX, NY - 1 - BY) < body, "axial left-right");
            assertTrue(grey(img, col, 0, BX, BY) < body, "axial anterior-posterior");
            // coronal: x → right, z (superior) up
            assertEquals(blob, grey(img, col, 1, BX, NZ - 1 - BZ), 2);
            assertTrue(grey(img, col, 1, NX - 1 - BX, NZ - 1 - BZ) < body, "coronal left-right");
            assertTrue(grey(img, col, 1, BX, BZ) < body, "coronal superior-inferior");
            // sagittal: y (anterior) → right, z up
            assertEquals(blob, grey(img, col, 2, BY, NZ - 1 - BZ), 2);
            assertTrue(grey(img, col, 2, NY - 1 - BY, NZ - 1 - BZ) < body, "sagittal anterior-posterior");
            assertTrue(grey(img, col, 2, BY, BZ) < body, "sagittal superior-inferior");
            // outside the head: black
            assertEquals(0, grey(img, col, 0, 1, 1));
        }
    }

    @Test
    void defaultCentreIsTheMasksBoundingBoxAndWindowsArePercentiles() throws Exception {
        float[] mask = new float[NX * NY * NZ];
        float[] t1 = head(mask);
        assertArrayEquals(new int[] {23, 27, 19}, Montage.maskCentre(NX, NY, NZ, mask));
        assertArrayEquals(new int[] {NX / 2, NY / 2, NZ / 2}, Montage.maskCentre(NX, NY, NZ, null));
        Montage.Window w = Montage.Window.percentiles(t1, mask, 1, 99);
        assertTrue(w.lo() > 100 && w.lo() < 115 && w.hi() > 135 && w.hi() < 150, w.toString()); // the blob is under 1%
        assertEquals(new Montage.Window(0, 1), Montage.Window.percentiles(new float[8], null, 1, 99));
        Path png = dir.resolve("montage.png");
        Montage.write(png, NX, NY, NZ, mask, List.of(new Montage.Column("T1w", t1, w)));
        BufferedImage img = ImageIO.read(png.toFile());
        // The axial mid-slice: brighter towards the right (x); the middle of the head is grey, not clipped.
        int leftSide = grey(img, 0, 0, 10, NY / 2), rightSide = grey(img, 0, 0, 38, NY / 2);
        assertTrue(leftSide > 0 && rightSide > leftSide + 50, leftSide + " " + rightSide);
        assertThrows(IllegalArgumentException.class, () -> Montage.write(png, NX, NY, NZ, mask,
                List.of(new Montage.Column("short", new float[10], w))));
    }
}
