package dev.deepanat.bench;

import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.Storage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The 3×3 conv2d layers of the hybrid GAN's (SRGAN) discriminator on 64×64 slices, batch n (default 10), on the cpu
 * backend: forward, backward-data and backward-weight. Padding is Keras 'same' (stride 1: 1 each side; stride 2 on
 * even sizes: none before, one after). The shape string is cIn-cOut-inputEdge-stride; PyTorch's side is
 * benchmarks/torch_disc_convs.py.
 *
 * <pre>java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar DiscConvBench</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseSerialGC"})
public class DiscConvBench {
    @Param({"1-64-64-1", "64-64-64-2", "64-128-32-1", "128-128-32-2", "128-256-16-1", "256-256-16-2", "256-512-8-1",
            "512-512-8-2"})
    public String shape;

    @Param("10")
    public int n;

    @Param("cpu")
    public String backend;

    Backend be;
    ConvGeometry g;
    Storage x, w, b, y, dx, dw, db;

    /** The discriminator's conv geometry: Keras 'same' padding, 3×3, depth 1. */
    static ConvGeometry geometry(int n, int ci, int co, int e, int s) {
        int o = (e + s - 1) / s;
        int pad = Math.max(0, (o - 1) * s + 3 - e) / 2;   // Keras: total padding split, the larger part after
        return new ConvGeometry(n, ci, 1, e, e, co, 1, 3, 3, 1, s, s, 0, pad, pad, 1, o, o);
    }

    @Setup
    public void setup() {
        String[] p = shape.split("-");
        g = geometry(n, Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]));
        be = Backends.get(backend);
        SplittableRandom rng = new SplittableRandom(1);
        x = be.upload(ConvBench.random(rng, g.inputSize()));
        w = be.upload(ConvBench.random(rng, g.weightSize()));
        b = be.upload(ConvBench.random(rng, g.cOut()));
        y = be.upload(ConvBench.random(rng, g.outputSize()));
        dx = be.allocate(g.inputSize());
        dw = be.allocate(g.weightSize());
        db = be.allocate(g.cOut());
        System.out.printf("%n[%s n=%d: %.3f GFLOP per call]%n", shape, n, 2.0 * g.macs() / 1e9);
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
