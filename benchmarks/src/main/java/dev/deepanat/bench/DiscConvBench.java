package dev.deepanat.bench;

import dev.deepanat.engine.backend.ConvGeometry;
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
public class DiscConvBench extends ConvPasses {
    @Param({"1-64-64-1", "64-64-64-2", "64-128-32-1", "128-128-32-2", "128-256-16-1", "256-256-16-2", "256-512-8-1",
            "512-512-8-2"})
    public String shape;

    @Param("10")
    public int n;

    @Param("cpu")
    public String backend;


    /** The discriminator's conv geometry: Keras 'same' padding, 3×3, depth 1. */
    static ConvGeometry geometry(int n, int ci, int co, int e, int s) {
        int o = (e + s - 1) / s;
        int pad = Math.max(0, (o - 1) * s + 3 - e) / 2;   // Keras: total padding split, the larger part after
        return new ConvGeometry(n, ci, 1, e, e, co, 1, 3, 3, 1, s, s, 0, pad, pad, 1, o, o);
    }

    @Setup
    public void setup() {
        String[] p = shape.split("-");
        prepare(geometry(n, Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3])),
                backend, shape + " n=" + n);
    }
}
