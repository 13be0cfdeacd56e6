package dev.deepanat.bench;

import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

/**
 * The hot path, as JMH runs with short settings: conv3d forward, backward-data and backward-weight at the U-Net's
 * level-0 shapes (48→48 @ 64³ for f=48, 16→16 @ 32³ for f=16; {@link ConvBench}) and whole U-Net steps
 * ({@link UNetStepBench}), on one backend; on cuda each in fp32 and TF32 (system property deepanat.cuda.tf32 in the
 * forked JVM). Writes {key: milliseconds} as JSON, with keys such as {@code conv.48-48-64.forward.tf32} and
 * {@code unet.f16-32.train.fp32}: the keys of benchmarks/guard.sh and its baselines.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar dev.deepanat.bench.HotPath --device cuda --out ours.json</pre>
 * Without the backend (no GPU, or built without the cuda module) it prints one line and exits with 3.
 */
public final class HotPath {
    static final String[] CONV_SHAPES = {"48-48-64", "16-16-32"};

    private HotPath() {}

    public static void main(String[] args) throws IOException, RunnerException {
        String device = "cpu", precision = null;
        Path out = null;
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                case "--precision" -> precision = args[++i];
                case "--quick" -> quick = true;
                default -> {
                    System.err.println("hotpath: unknown option " + args[i]
                            + " (options: --device cpu|cuda --out FILE [--precision fp32|tf32|both] [--quick])");
                    System.exit(2);
                }
            }
        }
        if (out == null) {
            System.err.println("hotpath: --out FILE is required");
            System.exit(2);
        }
        String missing = unavailable(device);
        if (missing != null) {
            System.out.println("hotpath: skipped: " + missing);
            System.exit(3);
        }
        boolean gpu = !device.equals("cpu");
        List<String> precisions = precision == null || precision.equals("both")
                ? (gpu ? List.of("fp32", "tf32") : List.of("fp32")) : List.of(precision);
        // cpu: the f=48 training step takes ~7 s on 2 cores, so the cpu guard times its forward pass only.
        List<String[]> unets = gpu
                ? List.of(new String[] {"16", "32", "trainingStep"}, new String[] {"16", "32", "forward"},
                          new String[] {"48", "64", "trainingStep"}, new String[] {"48", "64", "forward"})
                : List.of(new String[] {"16", "32", "trainingStep"}, new String[] {"48", "64", "forward"});
        Map<String, Double> ms = new LinkedHashMap<>();
        for (String p : precisions) {
            String tf32 = "-Ddeepanat.cuda.tf32=" + p.equals("tf32");
            ChainedOptionsBuilder conv = base(tf32).include(ConvBench.class.getName() + "\\.(forward|backwardData|backwardWeight)$")
                    .param("shape", CONV_SHAPES).param("backend", device)
                    .mode(org.openjdk.jmh.annotations.Mode.AverageTime)
                    .warmupIterations(1).warmupTime(TimeValue.seconds(quick ? 1 : 2))
                    .measurementIterations(quick ? 2 : 3).measurementTime(TimeValue.seconds(1));
            for (RunResult r : new Runner(conv.build()).run()) {
                var params = r.getParams();
                ms.put("conv." + params.getParam("shape") + "." + method(r) + "." + p, score(r));
            }
            for (String[] u : unets) {
                ChainedOptionsBuilder step = base(tf32).include(UNetStepBench.class.getName() + "\\." + u[2] + "$")
                        .param("filters", u[0]).param("block", u[1]).param("backend", device)
                        .warmupIterations(gpu ? 3 : 1).measurementIterations(quick ? 2 : gpu ? 10 : 3);
                for (RunResult r : new Runner(step.build()).run())
                    ms.put("unet.f" + u[0] + "-" + u[1] + "." + (u[2].equals("trainingStep") ? "train" : "forward") + "." + p, score(r));
            }
        }
        StringBuilder sb = new StringBuilder("{\n");
        int k = 0;
        for (var e : ms.entrySet())
            sb.append(String.format(Locale.ROOT, "  \"%s\": %.6f%s%n", e.getKey(), e.getValue(), ++k < ms.size() ? "," : ""));
        Files.writeString(out, sb.append("}\n").toString());
        System.out.println("hotpath: " + ms.size() + " timings (ms) written to " + out);
    }

    private static ChainedOptionsBuilder base(String tf32) {
        return new OptionsBuilder().forks(1).shouldFailOnError(true).timeUnit(TimeUnit.MILLISECONDS)
                // These replace the benchmarks' own @Fork flags: the launcher's (bin/deepanat) collector settings.
                .jvmArgsAppend("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                        "-XX:PretenureSizeThreshold=256k", "-Xmn128m", tf32);
    }

    private static String method(RunResult r) {
        String b = r.getParams().getBenchmark();
        return b.substring(b.lastIndexOf('.') + 1);
    }

    private static double score(RunResult r) {
        return r.getPrimaryResult().getScore();
    }

    /** Null when the named backend runs here, else why not, in a few words. */
    static String unavailable(String device) {
        if (Backends.all().stream().anyMatch(b -> b.name().equals(device))) return null;
        for (ServiceLoader.Provider<Backend> p : ServiceLoader.load(Backend.class).stream().toList()) {
            try {
                Backend b = p.get();
                if (b.name().equals(device)) return "the " + device + " backend is present but reports no usable device here";
            } catch (RuntimeException | LinkageError e) {
                if (p.type().getName().toLowerCase(Locale.ROOT).contains(device))
                    return "the " + device + " backend cannot start (" + e.getMessage() + ")";
            }
        }
        return "no " + device + " backend on the class path (this build has none)";
    }
}
