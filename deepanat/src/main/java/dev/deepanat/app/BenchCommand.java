package dev.deepanat.app;

import dev.deepanat.common.UserError;
import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.MemoryStats;
import dev.deepanat.engine.backend.ProfiledBackend;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.model.Discriminator;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import dev.deepanat.train.GanStep;
import dev.deepanat.train.TrainingStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Times DeepAnat U-Net training steps (forward + masked L1 + backward + Adam) or forward passes on random data:
 * one warm-up step, then --steps timed steps; prints the median and minimum seconds per step and GFLOP/s
 * (a training step counts 3 × the forward FLOPs of the convolutions).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time U-Net training steps (or forward passes) on random data and report seconds per step and GFLOP/s.")
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    UNetShapeOptions shape;
    @Option(names = "--steps", defaultValue = "5", description = "Timed steps after one warm-up step (default ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--forward-only", description = "Time forward passes without gradients instead of training steps.")
    boolean forwardOnly;
    @Option(names = "--device", defaultValue = "auto", description = "Backend: cuda, cpu, reference, checked or auto (cuda when available, else the fastest CPU backend; default ${DEFAULT-VALUE}).")
    String device;
    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;
    @Option(names = "--gan", description = "Time hybrid-GAN steps instead: the discriminator's --d-epochs passes over the block's 6·block slices, then one generator step.")
    boolean gan;
    @Option(names = "--d-epochs", defaultValue = "3", description = "With --gan: discriminator passes per step (default ${DEFAULT-VALUE}).")
    int dEpochs;
    @Option(names = "--d-batch", defaultValue = "10", description = "With --gan: slices per discriminator step (default ${DEFAULT-VALUE}).")
    int dBatch;
    @Option(names = "--d-filters", defaultValue = "64", description = "With --gan: the discriminator's first width (default ${DEFAULT-VALUE}).")
    int dFilters;
    @Option(names = "--profile", description = "Time every kernel call (after the warm-up) and print a table to stderr.")
    boolean profile;

    @Override
    public Integer call() {
        shape.applyThreads();
        int block = shape.block, channels = shape.channels;
        if (steps < 1) throw new UserError("--steps must be at least 1, got " + steps);
        if (gan && forwardOnly) throw new UserError("--gan and --forward-only exclude each other");
        if (gan && (block % 16 != 0 || dEpochs < 1 || dBatch < 2 || dFilters < 1))
            throw new UserError("--gan needs a --block that is a multiple of 16, --d-epochs >= 1, --d-batch >= 2 and --d-filters >= 1");
        UNetConfig config = shape.config(false);
        shape.checkBlock(config);
        Backend be = DeviceOption.pick(device);
        ProfiledBackend profiler = profile ? new ProfiledBackend(be) : null;
        if (profiler != null) be = profiler;
        SplittableRandom rng = new SplittableRandom(1);
        UNet3d net = new UNet3d(config, rng);
        net.to(be);
        Tensor x = Tensor.randn(rng, 0, 1, 1, channels, block, block, block).to(be);
        Tensor target = Tensor.randn(rng, 0, 1, 1, 1, block, block, block).to(be);
        float[] m = new float[block * block * block];
        for (int i = 0; i < m.length; i++) m[i] = rng.nextInt(10) == 0 ? 0f : 1f;
        Tensor mask = Tensor.of(be, m, 1, 1, block, block, block);
        Adam adam = new Adam(net.parameters(), 1e-4f);
        Discriminator disc = gan ? new Discriminator(block, dFilters, true, new SplittableRandom(2)) : null;
        if (disc != null) disc.to(be);
        Adam dAdam = gan ? new Adam(disc.parameters(), 3e-4f) : null;
        GanStep.Options ganOptions = new GanStep.Options(1e-3f, dEpochs, dBatch, 1f);
        GanStep.Meters meters = gan ? new GanStep.Meters(be, 1) : null;

        double[] times = new double[steps];
        for (int s = -1; s < steps; s++) {
            if (s == 0 && profiler != null) profiler.reset();
            long t0 = System.nanoTime();
            try (MemoryScope step = MemoryScope.open()) {
                if (forwardOnly) {
                    try (var ng = Autograd.noGrad()) {
                        net.forward(x).toArray();
                    }
                } else if (gan) {
                    GanStep.run(ganOptions, net, disc, adam, dAdam, new Tensor[] {x, target, mask}, new SplittableRandom(s + 2),
                            meters, "bench step " + (s + 2));
                    meters.readAll();
                } else {
                    TrainingStep.run(net, adam, x, target, mask).item();
                }
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            if (s >= 0) times[s] = sec;
            if (!json) System.err.printf(Locale.ROOT, "%s %d: %.3f s%n", s < 0 ? "warm-up" : "step", s + 1, sec);
        }
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        double median = steps % 2 == 1 ? sorted[steps / 2] : (sorted[steps / 2 - 1] + sorted[steps / 2]) / 2;
        double min = sorted[0];
        double flops = gan ? Double.NaN : config.forwardFlops(block) * (forwardOnly ? 1 : 3);
        double gflops = flops / median / 1e9;
        long rssKb = peakRssKb();
        MemoryStats mem = be.memoryStats();
        long peakLive = mem.peakBytes();
        if (profiler != null) System.err.print(profiler.table());
        String threadsUsed = System.getProperty("deepanat.threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
        if (json) {
            System.out.printf(Locale.ROOT,
                    "{\"engine\":\"deepanat-j\",\"device\":\"%s\",\"settings\":\"%s\",\"threads\":%s,\"filters\":%d,\"block\":%d,\"channels\":%d,"
                            + "\"levels\":%d,\"mode\":\"%s\",\"steps\":%d,\"median_s\":%.6f,\"min_s\":%.6f,\"gflop\":%s,"
                            + "\"gflops\":%s,\"peak_rss_mb\":%s,\"peak_tensor_mb\":%.1f,\"times_s\":%s}%n",
                    be.name(), be.settings(), threadsUsed, config.baseFilters(), block, channels, config.levels(), gan ? "gan" : forwardOnly ? "forward" : "train", steps,
                    median, min, gan ? "null" : String.format(Locale.ROOT, "%.3f", flops / 1e9),
                    gan ? "null" : String.format(Locale.ROOT, "%.2f", gflops), rssKb < 0 ? "null" : String.format(Locale.ROOT, "%.1f", rssKb / 1024.0), peakLive / 1048576.0,
                    Arrays.toString(Arrays.stream(times).mapToObj(t -> String.format(Locale.ROOT, "%.6f", t)).toArray()));
        } else {
            System.out.printf(Locale.ROOT, "U-Net %s, %d filters, %d³ block, %d channels, %d levels on %s, threads=%s%s%n",
                    gan ? "GAN step (discriminator " + dFilters + " filters, " + dEpochs + " passes of " + dBatch + ")"
                            : forwardOnly ? "forward pass" : "training step", config.baseFilters(), block, channels, config.levels(), be.name(), threadsUsed,
                    dev.deepanat.profile.ProfileFormat.settingsNote(be));
            if (gan) System.out.printf(Locale.ROOT, "median %.3f s, min %.3f s per step%n", median, min);
            else System.out.printf(Locale.ROOT, "median %.3f s, min %.3f s per step; %.2f GFLOP per step, %.1f GFLOP/s%n",
                    median, min, flops / 1e9, gflops);
            if (rssKb >= 0) System.out.printf(Locale.ROOT, "peak resident memory %.0f MiB%n", rssKb / 1024.0);
            System.out.printf(Locale.ROOT, "peak tensor memory %.0f MiB (live storages on %s); now cached %.0f MiB, kernel scratch %.0f MiB%n",
                    peakLive / 1048576.0, be.name(), mem.cachedBytes() / 1048576.0, mem.scratchBytes() / 1048576.0);
        }
        return 0;
    }

    /** VmHWM from /proc/self/status in KiB, or −1 where unavailable. */
    static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
