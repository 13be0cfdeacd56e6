package dev.deepanat.diffusion;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Locations of dipy's data files and of our golden results (see golden/diffusion/make_golden.py). */
final class GoldenFiles {
    static final Path DIPY_FILES = Path.of("/usr/lib/python3/dist-packages/dipy/data/files");

    private GoldenFiles() {}

    static Path dipy(String name) {
        Path p = DIPY_FILES.resolve(name);
        assertTrue(Files.isRegularFile(p), "dipy's data file " + p + " is missing: install the Debian package python3-dipy (apt-get install python3-dipy)");
        return p;
    }

    static Path golden(String name) {
        Path p = Path.of(System.getProperty("deepanat.repo", "..")).resolve("src-test/src/test/resources/golden/diffusion").resolve(name);
        if (!Files.exists(p)) p = Path.of("src/test/resources/golden/diffusion").resolve(name);
        assertTrue(Files.isRegularFile(p), "golden file missing: " + p);
        return p;
    }

    /** One voxel of a golden file: linear index (x fastest) and dipy's eigenvalues, FA, MD. */
    record Voxel(int index, double l1, double l2, double l3, double fa, double md) {}

    static Voxel[] read(String name) throws IOException {
        ByteBuffer b;
        try (InputStream in = Files.newInputStream(golden(name + ".golden.bin"))) {
            b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        }
        Voxel[] v = new Voxel[b.getInt()];
        for (int i = 0; i < v.length; i++) v[i] = new Voxel(b.getInt(), b.getDouble(), b.getDouble(), b.getDouble(), b.getDouble(), b.getDouble());
        return v;
    }
}
