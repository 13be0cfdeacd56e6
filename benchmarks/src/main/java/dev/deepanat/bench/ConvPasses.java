package dev.deepanat.bench;

import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.Storage;
import org.openjdk.jmh.annotations.Benchmark;

import java.util.SplittableRandom;

/**
 * The three passes of one convolution on one backend, for JMH: a subclass chooses the geometry ({@link #prepare})
 * and JMH runs {@link #forward}, {@link #backwardData} and {@link #backwardWeight} on random operands.
 */
abstract class ConvPasses {
    Backend be;
    ConvGeometry g;
    Storage x, w, b, y, dx, dw, db;

    /** Allocates random operands for g on the named backend and prints the FLOPs of one call. */
    void prepare(ConvGeometry geometry, String backend, String label) {
        g = geometry;
        be = Backends.get(backend);
        SplittableRandom rng = new SplittableRandom(1);
        x = be.upload(random(rng, g.inputSize()));
        w = be.upload(random(rng, g.weightSize()));
        b = be.upload(random(rng, g.cOut()));
        y = be.upload(random(rng, g.outputSize()));
        dx = be.allocate(g.inputSize());
        dw = be.allocate(g.weightSize());
        db = be.allocate(g.cOut());
        System.out.printf("%n[%s: %.3f GFLOP per call]%n", label, 2.0 * g.macs() / 1e9);
    }

    static float[] random(SplittableRandom rng, long n) {
        float[] a = new float[(int) n];
        for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextDouble(-1, 1);
        return a;
    }

    @Benchmark
    public void forward() {
        be.conv3d(g, x, w, b, y);
        be.synchronize();
    }

    @Benchmark
    public void backwardData() {
        be.conv3dBackwardData(g, y, w, dx);
        be.synchronize();
    }

    @Benchmark
    public void backwardWeight() {
        be.conv3dBackwardWeight(g, x, y, dw, db);
        be.synchronize();
    }
}
