package dev.deepanat.profile;

import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.ProfiledBackend;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.model.UNet3d;
import dev.deepanat.train.TrainingStep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs U-Net steps (training: forward + masked L1 + backward + Adam, or forward passes without gradients) on random
 * data through a {@link ProfiledBackend}: {@code warmup} untimed steps, then {@code steps} timed ones. Each row is the per-step
 * mean of its calls; {@link Result#stepSeconds} is the mean wall time of a whole step, so rows + {@link Result#other}
 * add up to it.
 */
public final class StepProfile {
    /** The rows (most time first), the mean step wall time, and the profiled backend's name. */
    public record Result(List<LayerRow> rows, double stepSeconds, String mode, String backend) {
        public double kernelSeconds() {
            return rows.stream().mapToDouble(LayerRow::seconds).sum();
        }

        /** Step time spent outside every kernel call: graph bookkeeping, the JVM's allocation and GC, host code. */
        public double other() {
            return stepSeconds - kernelSeconds();
        }

        public double flop() {
            return rows.stream().mapToDouble(LayerRow::flop).sum();
        }
    }

    private StepProfile() {}

    /**
     * The network must already live on {@code be}'s device (made there, or loaded onto it); {@code profiled} must wrap
     * {@code be}, and net must have been moved to it.
     */
    public static Result run(UNet3d net, ProfiledBackend profiled, int block, boolean train, int steps) {
        return run(net, profiled, block, train, 1, steps);
    }

    public static Result run(UNet3d net, ProfiledBackend profiled, int block, boolean train, int warmup, int steps) {
        if (steps < 1 || warmup < 0) throw new IllegalArgumentException("steps must be at least 1 and warmup 0 or more, got " + steps + ", " + warmup);
        Backend be = profiled;
        int c = net.config().inChannels();
        SplittableRandom rng = new SplittableRandom(1);
        Tensor x = Tensor.randn(rng, 0, 1, 1, c, block, block, block).to(be);
        Tensor target = Tensor.randn(rng, 0, 1, 1, net.config().outChannels(), block, block, block).to(be);
        float[] m = new float[block * block * block];
        for (int i = 0; i < m.length; i++) m[i] = rng.nextInt(10) == 0 ? 0f : 1f;
        Tensor mask = Tensor.of(be, m, 1, 1, block, block, block);
        Adam adam = train ? new Adam(net.parameters(), 1e-4f) : null;
        if (!train) net.eval();
        long total = 0;
        try {
            for (int s = -warmup; s < steps; s++) {
                if (s == 0) profiled.reset();
                long t0 = System.nanoTime();
                try (MemoryScope step = MemoryScope.open()) {
                    if (train) {
                        TrainingStep.run(net, adam, x, target, mask).item();
                    } else {
                        try (var ng = Autograd.noGrad()) {
                            net.forward(x).toArray();
                        }
                    }
                }
                be.synchronize();
                if (s >= 0) total += System.nanoTime() - t0;
            }
        } finally {
            x.close();
            target.close();
            mask.close();
        }
        List<LayerRow> rows = new ArrayList<>();
        for (ProfiledBackend.Call k : profiled.calls()) {
            rows.add(new LayerRow(k.layer().isEmpty() ? "-" : k.layer(), k.pass(), k.kernel(), k.shape(),
                    (double) k.calls() / steps, k.seconds() / steps, k.flop() / steps, k.bytes() / steps));
        }
        rows.sort(Comparator.comparingDouble(LayerRow::seconds).reversed());
        return new Result(rows, total / 1e9 / steps, train ? "train" : "forward", profiled.name());
    }
}
