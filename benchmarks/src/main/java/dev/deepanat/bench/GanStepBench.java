package dev.deepanat.bench;

import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.model.Discriminator;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import dev.deepanat.train.GanStep;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One hybrid-GAN step ({@link GanStep}: the discriminator's passes over a block's generated and real slices, then one
 * generator step with the discriminator frozen) on the cpu backend, random data (every slice informative). The same
 * step as {@code deepanat bench --gan} and {@code benchmarks/torch_gan_step.py}.
 *
 * <pre>java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar GanStepBench</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseSerialGC", "-XX:PretenureSizeThreshold=256k"})
public class GanStepBench {
    @Param({"8"})
    public int filters;
    @Param({"16"})
    public int block;
    @Param({"16"})
    public int dFilters;
    @Param("cpu")
    public String backend;

    UNet3d g;
    Discriminator d;
    Adam gAdam, dAdam;
    Tensor x, target, mask;
    GanStep.Meters meters;
    int step;

    @Setup
    public void setup() {
        Backend be = Backends.get(backend);
        SplittableRandom rng = new SplittableRandom(1);
        g = new UNet3d(new UNetConfig(11, 1, filters, 4, false), rng);
        g.to(be);
        d = new Discriminator(block, dFilters, true, rng);
        d.to(be);
        gAdam = new Adam(g.parameters(), 1e-4f);
        dAdam = new Adam(d.parameters(), 3e-4f);
        x = Tensor.randn(rng, 0, 1, 1, 11, block, block, block).to(be).persistent();
        target = Tensor.randn(rng, 0, 1, 1, 1, block, block, block).to(be).persistent();
        mask = Tensor.ones(be, 1, 1, block, block, block).persistent();
        meters = new GanStep.Meters(be, 1);
    }

    @Benchmark
    public double ganStep() {
        try (MemoryScope s = MemoryScope.open()) {
            GanStep.run(new GanStep.Options(1e-3f, 3, 10, 1f), g, d, gAdam, dAdam, new Tensor[] {x, target, mask},
                    new SplittableRandom(step++), meters, "bench");
        }
        meters.readAll();
        return meters.l1.mean();
    }

    @TearDown
    public void tearDown() {
        meters.close();
    }
}
