package dev.deepanat.bench;

import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import dev.deepanat.train.TrainingStep;
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
 * One DeepAnat U-Net training step (forward + masked L1 + backward + Adam) and one forward pass, 11 input channels,
 * 5 levels, on the cpu backend. FLOPs: {@link UNetConfig#forwardFlops}, ×3 for a training step.
 *
 * <pre>java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar UNetStepBench</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseSerialGC", "-XX:PretenureSizeThreshold=1m"})
public class UNetStepBench {
    @Param({"16"})
    public int filters;
    @Param({"32"})
    public int block;
    @Param("cpu")
    public String backend;

    UNet3d net;
    Tensor x, target, mask;
    Adam adam;
    Backend be;

    @Setup
    public void setup() {
        be = Backends.get(backend);
        SplittableRandom rng = new SplittableRandom(1);
        UNetConfig config = new UNetConfig(11, 1, filters, 5, false);
        net = new UNet3d(config, rng);
        net.to(be);
        x = Tensor.randn(rng, 0, 1, 1, 11, block, block, block).to(be);
        target = Tensor.randn(rng, 0, 1, 1, 1, block, block, block).to(be);
        mask = Tensor.ones(be, 1, 1, block, block, block);
        adam = new Adam(net.parameters(), 1e-4f);
        System.out.printf("%n[forward %.2f GFLOP, training step %.2f GFLOP]%n",
                config.forwardFlops(block) / 1e9, 3 * config.forwardFlops(block) / 1e9);
    }

    @Benchmark
    public float trainingStep() {
        try (MemoryScope step = MemoryScope.open()) {
            return TrainingStep.run(net, adam, x, target, mask).item();
        }
    }

    @Benchmark
    public float forward() {
        try (MemoryScope step = MemoryScope.open(); var ng = Autograd.noGrad()) {
            return net.forward(x).toArray()[0];
        }
    }
}
