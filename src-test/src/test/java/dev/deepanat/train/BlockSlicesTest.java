package dev.deepanat.train;

import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The three orientations as the original builds them from its [x, y, z] Keras blocks, on every backend. */
class BlockSlicesTest {
    @Test
    void slicesFollowTheOriginalsTransposes() {
        int b = 5;
        float[] block = new float[b * b * b];
        for (int z = 0; z < b; z++)
            for (int y = 0; y < b; y++)
                for (int x = 0; x < b; x++) block[(z * b + y) * b + x] = 100 * x + 10 * y + z;
        for (Backend be : Backends.all()) {
            try (MemoryScope scope = MemoryScope.open()) {
                float[] s = BlockSlices.of(Tensor.of(be, block, 1, 1, b, b, b)).toArray();
                assertEquals(3 * b * b * b, s.length);
                for (int i = 0; i < b; i++)
                    for (int r = 0; r < b; r++)
                        for (int c = 0; c < b; c++) {
                            int at = (i * b + r) * b + c, plane = b * b * b;
                            assertEquals(100 * i + 10 * r + c, s[at], be.name() + " sagittal x=" + i + ": rows y, columns z");
                            assertEquals(100 * r + 10 * i + c, s[plane + at], be.name() + " coronal y=" + i + ": rows x, columns z");
                            assertEquals(100 * r + 10 * c + i, s[2 * plane + at], be.name() + " axial z=" + i + ": rows x, columns y");
                        }
            }
        }
    }

    @Test
    void informativeSlicesHaveARealNormAboveFifteenAt64Squared() {
        int b = 4; // bound 15 · 4 / 64 = 0.9375
        float[] block = new float[b * b * b];
        block[(2 * b + 1) * b + 3] = 1f; // one bright voxel at z=2, y=1, x=3: in sagittal 3, coronal 1, axial 2
        block[(3 * b + 3) * b + 0] = 0.9f; // too faint
        try (MemoryScope scope = MemoryScope.open()) {
            int[] idx = BlockSlices.informative(BlockSlices.of(Tensor.of(block, 1, 1, b, b, b)));
            assertArrayEquals(new int[] {3, b + 1, 2 * b + 2}, idx);
        }
    }
}
