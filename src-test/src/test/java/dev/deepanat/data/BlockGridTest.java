package dev.deepanat.data;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepanat.testing.Golden;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The original's block grid, against numpy (golden/blockgrid/make_golden.py) and on hand-made masks. */
class BlockGridTest {
    private static final double[][] IDENTITY = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};

    @Test
    void axisStartsMatchNumpy() throws Exception {
        JsonObject g = JsonParser.parseString(Files.readString(Golden.path("blockgrid/starts.json"))).getAsJsonObject();
        int n = 0;
        for (var e : g.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            int[] want = c.getAsJsonArray("starts").asList().stream().mapToInt(j -> j.getAsInt()).toArray();
            int[] got = BlockGrid.axisStarts(c.get("lo").getAsInt(), c.get("hi").getAsInt(), c.get("block").getAsInt(), c.get("pad").getAsInt());
            assertArrayEquals(want, got, c.toString());
            n++;
        }
        assertEquals(206, n);
    }

    @Test
    void halfwayStartsRoundToEven() {
        assertArrayEquals(new int[] {0, 2, 5}, BlockGrid.axisStarts(0, 20, 16, 1)); // linspace 0, 2.5, 5
        assertArrayEquals(new int[] {1, 4, 6}, BlockGrid.axisStarts(1, 21, 16, 1)); // linspace 1, 3.5, 6
    }

    @Test
    void aBrainNarrowerThanABlockGetsOneCentredBlock() {
        // extent 3 (10..12) in an 8-voxel block: start 10 - (8 - 3) / 2 = 8, where the original would go backwards (10, 5)
        assertArrayEquals(new int[] {8}, BlockGrid.axisStarts(10, 12, 8, 1));
        assertArrayEquals(new int[] {-3}, BlockGrid.axisStarts(0, 9, 16, 5)); // starts before the volume: zero-padded
    }

    @Test
    void gridFollowsTheMasksBoundingBox() {
        int nx = 40, ny = 30, nz = 20;
        float[] mask = new float[nx * ny * nz];
        // a box x 5..36, y 2..17, z 4..7 (thinner than the block along z); a voxel at 0.5 does not count
        for (int z = 4; z <= 7; z++)
            for (int y = 2; y <= 17; y++)
                for (int x = 5; x <= 36; x++) mask[(z * ny + y) * nx + x] = 1;
        mask[(19 * ny + 29) * nx + 39] = 0.5f;
        BlockGrid g = BlockGrid.of(mask, new Grid(nx, ny, nz, IDENTITY), 16, 1, "hand-made");
        assertArrayEquals(BlockGrid.axisStarts(5, 36, 16, 1), g.xs());
        assertArrayEquals(new int[] {2, 2}, g.ys()); // extent exactly one block: n = 1 + 1 starts, both at lo
        assertArrayEquals(new int[] {-2}, g.zs()); // extent 4: one block centred, 6 voxels of padding below
        assertEquals(g.xs().length * 2, g.count());
        assertArrayEquals(new int[] {g.xs()[1], 2, -2}, g.start(1));
    }

    @Test
    void cutterFlipsAlongXAndZeroFillsOutside() {
        int nx = 5, ny = 4, nz = 3;
        float[] v = new float[nx * ny * nz];
        for (int i = 0; i < v.length; i++) v[i] = i + 1;
        Grid grid = new Grid(nx, ny, nz, IDENTITY);
        int b = 4;
        float[] plain = new float[b * b * b], flipped = new float[b * b * b];
        BlockCutter.cut(v, grid, 2, -1, 1, b, false, plain, 0);
        BlockCutter.cut(v, grid, 2, -1, 1, b, true, flipped, 0);
        for (int z = 0; z < b; z++)
            for (int y = 0; y < b; y++)
                for (int x = 0; x < b; x++) {
                    int sx = 2 + x, sy = y - 1, sz = 1 + z;
                    boolean inside = sx < nx && sy >= 0 && sy < ny && sz < nz;
                    float want = inside ? v[(sz * ny + sy) * nx + sx] : 0;
                    assertEquals(want, plain[(z * b + y) * b + x], "plain at " + x + "," + y + "," + z);
                    assertEquals(want, flipped[(z * b + y) * b + (b - 1 - x)], "flipped at " + x + "," + y + "," + z);
                }
    }

    @Test
    void accumulateAddsTheCroppedBlockOnly() {
        int n = 6, b = 4;
        Grid grid = new Grid(n, n, n, IDENTITY);
        float[] block = new float[b * b * b];
        java.util.Arrays.fill(block, 2f);
        float[] acc = new float[n * n * n], hits = new float[n * n * n];
        BlockCutter.accumulate(block, b, 3, 0, 0, new int[] {1, 0, 0}, new int[] {b, b - 1, b}, grid, acc, hits);
        for (int z = 0; z < n; z++)
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++) {
                    boolean in = x >= 4 && x < 6 && y < 3 && z < 4; // x from 3+1 to the volume's edge, y cropped to 3
                    assertEquals(in ? 1f : 0f, hits[(z * n + y) * n + x], x + "," + y + "," + z);
                    assertEquals(in ? 2f : 0f, acc[(z * n + y) * n + x]);
                }
    }
}
