package dev.deepanat.app;

import dev.deepanat.common.UserError;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.ProfiledBackend;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import dev.deepanat.profile.PeakKernels;
import dev.deepanat.profile.Peaks;
import dev.deepanat.profile.ProfileFormat;
import dev.deepanat.profile.Roofline;
import dev.deepanat.profile.StepProfile;
import dev.deepanat.train.Checkpoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** {@code deepanat profile}: a per-layer, per-pass kernel table of one U-Net step with roofline figures; see docs/performance.md. */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Profile one U-Net step per layer and pass: kernel times, FLOP, bytes, GFLOP/s and % of the measured peaks; a roofline PNG.")
public final class ProfileCommand implements Callable<Integer> {
    @Mixin
    UNetShapeOptions shape;
    @Option(names = "--device", defaultValue = "cpu", description = "Backend: cpu, cuda, reference, checked (default ${DEFAULT-VALUE}).")
    String device;
    @Option(names = "--model", description = "A checkpoint (best.safetensors): profile its U-Net instead of --filters/--levels.")
    Path model;
    @Option(names = "--batch-norm", description = "With batch normalization.")
    boolean batchNorm;
    @Option(names = "--train", description = "Profile a training step (the default).")
    boolean train;
    @Option(names = "--forward", description = "Profile a forward pass without gradients.")
    boolean forward;
    @Option(names = "--steps", defaultValue = "2", description = "Timed steps after one warm-up; rows are per-step means (default ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--warmup", defaultValue = "1", description = "Untimed steps first (default ${DEFAULT-VALUE}; on the cpu the JIT may need 2–3).")
    int warmup;
    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;
    @Option(names = "--csv", description = "Print CSV (one line per row) instead of the table.")
    boolean csv;
    @Option(names = "--top", defaultValue = "30", description = "Rows in the text table, most time first; 0 = all (default ${DEFAULT-VALUE}).")
    int top;
    @Option(names = "--plot", description = "Write a roofline PNG of the rows here.")
    Path plot;
    @Option(names = "--remeasure-peaks", description = "Measure the FLOP and bandwidth peaks again instead of using the cached ones.")
    boolean remeasurePeaks;

    @Override
    public Integer call() throws IOException {
        if (train && forward) throw new UserError("--train and --forward exclude each other");
        if (json && csv) throw new UserError("--json and --csv exclude each other");
        if (steps < 1) throw new UserError("--steps must be at least 1, got " + steps);
        if (warmup < 0) throw new UserError("--warmup must be 0 or more, got " + warmup);
        if (top < 0) throw new UserError("--top must be 0 or more, got " + top);
        if (plot != null && ModuleLayer.boot().findModule("java.desktop").isEmpty())
            throw new UserError("--plot needs the java.desktop module, which this Java runtime lacks (the GPU bundle leaves it out); use --csv or --json");
        shape.applyThreads();
        Backend be = DeviceOption.pick(device);
        ProfiledBackend profiled = new ProfiledBackend(be);
        UNet3d net;
        if (model != null) {
            net = Checkpoints.load(model, profiled).net();
        } else {
            net = new UNet3d(shape.config(batchNorm), new SplittableRandom(1));
            net.to(profiled);
        }
        try {
            return profile(be, profiled, net);
        } finally {
            net.close(); // also when the block size is refused or a step fails
        }
    }

    private int profile(Backend be, ProfiledBackend profiled, UNet3d net) throws IOException {
        UNetConfig config = net.config();
        shape.checkBlock(config);
        int block = shape.block;
        int nThreads = Integer.getInteger("deepanat.threads", Runtime.getRuntime().availableProcessors());
        Peaks.Peak peak = Peaks.get(Peaks.cacheFile(), be.name(), nThreads, remeasurePeaks, () -> {
            System.err.println("deepanat profile: measuring the FLOP and bandwidth peaks of " + be.name()
                    + " (once per machine; cached in " + Peaks.cacheFile() + ")");
            return PeakKernels.measure(be, nThreads);
        });
        StepProfile.Result r = StepProfile.run(net, profiled, block, !forward, warmup, steps);
        String title = String.format(Locale.ROOT, "U-Net %s, %d filters, %d levels, %d channels%s, %d³ block on %s%s",
                r.mode().equals("train") ? "training step" : "forward pass", config.baseFilters(), config.levels(),
                config.inChannels(), config.batchNorm() ? ", batch norm" : "", block, be.name(), ProfileFormat.settingsNote(be));
        if (json) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("settings", be.settings());
            c.put("filters", config.baseFilters());
            c.put("levels", config.levels());
            c.put("channels", config.inChannels());
            c.put("batch_norm", config.batchNorm());
            c.put("block", block);
            c.put("steps", steps);
            c.put("warmup", warmup);
            c.put("threads", nThreads);
            System.out.print(ProfileFormat.json(r, peak, c));
        } else if (csv) {
            System.out.print(ProfileFormat.csv(r, peak));
        } else {
            System.out.print(ProfileFormat.text(r, peak, title, top));
        }
        if (plot != null) {
            Roofline.write(plot, title, r, peak);
            System.err.println("deepanat profile: roofline written to " + plot);
        }
        return 0;
    }
}
