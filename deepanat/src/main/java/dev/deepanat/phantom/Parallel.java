package dev.deepanat.phantom;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** Runs independent z-slices in parallel. Each slice writes only its own voxels, so results do not depend on scheduling. */
final class Parallel {
    private Parallel() {}

    static void slices(int nz, IntConsumer slice) {
        IntStream.range(0, nz).parallel().forEach(slice);
    }
}
