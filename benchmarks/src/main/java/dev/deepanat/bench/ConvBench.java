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
 * 3×3×3 'same' convolutions at the DeepAnat U-Net's shapes on the cpu backend (all threads of the shared pool):
 * forward, backward-data and backward-weight. GFLOP/s = 2·macs / time; the shape string is cIn-cOut-edge, and
 * the set-up prints the FLOPs of one call so that JMH's seconds per op convert directly.
 *
 * <pre>java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar ConvBench</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseSerialGC"})
public class ConvBench extends ConvPasses {
    /** cIn-cOut-edge: f=48 level 0 (48-48-64), its decoder input (96-48-64), the first layer (11-48-64), f=16 (16-16-64, 48-16-32), deep levels. */
    @Param({"48-48-64", "96-48-64", "11-48-64", "16-16-64", "48-16-32", "384-384-8"})
    public String shape;

    @Param("cpu")
    public String backend;


    @Setup
    public void setup() {
        String[] p = shape.split("-");
        int ci = Integer.parseInt(p[0]), co = Integer.parseInt(p[1]), e = Integer.parseInt(p[2]);
        prepare(new ConvGeometry(1, ci, e, e, e, co, 3, 3, 3, 1, 1, 1, 1, 1, 1, e, e, e), backend, shape);
    }
}
