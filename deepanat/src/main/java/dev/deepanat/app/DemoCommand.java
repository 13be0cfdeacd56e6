package dev.deepanat.app;

import dev.deepanat.demo.Demo;
import dev.deepanat.demo.DemoOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code deepanat demo}: DeepAnat end to end on the built-in phantom, nothing to download. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run DeepAnat end to end on the built-in phantom: simulate, prepare, train, predict, evaluate.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--out", defaultValue = "demo-out", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--quick", description = "A smaller phantom and a few epochs: under a minute.")
    boolean quick;
    @Option(names = "--epochs", description = "Training epochs (default 30; 4 with --quick).")
    Integer epochs;
    @Option(names = "--size", description = "Phantom grid edge in voxels (default 64; 48 with --quick).")
    Integer size;
    @Option(names = "--filters", description = "U-Net base filters (default 8; the paper's model: 48).")
    Integer filters;
    @Option(names = "--levels", description = "U-Net levels (default 4, 3 with --quick; the paper's: 5).")
    Integer levels;
    @Option(names = "--block", description = "Training block edge (default 32, 24 with --quick; the paper's: 64).")
    Integer block;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the phantom, the weights and the blocks (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--gan", description = "Then fine-tune the U-Net as a hybrid GAN (a few epochs) and report it beside the U-Net.")
    boolean gan;
    @Option(names = "--device", description = "Backend: cuda, cpu, reference, checked (a slow memory-checking test device) or auto (default: cuda when available, else the fastest CPU backend).")
    String device;

    @Override
    public Integer call() {
        DemoOptions d = quick ? DemoOptions.quick(out) : DemoOptions.standard(out);
        d = new DemoOptions(d.out(), or(size, d.size()), d.trainSubjects(), or(epochs, d.epochs()), or(filters, d.filters()),
                or(levels, d.levels()), or(block, d.block()), d.lr(), seed, d.tiling(),
                gan ? (quick ? DemoOptions.Gan.quick() : DemoOptions.Gan.standard()) : null);
        ConsoleProgress progress = new ConsoleProgress();
        Demo.Result r = Demo.run(d, DeviceOption.pick(device), progress, progress, System.out::println, Invocation.of(spec).commandLine());
        System.out.println("demo: held-out subject, synthesized vs true T1w in the mask: " + r.model());
        if (r.gan() != null)
            System.out.println("demo: the GAN-fine-tuned U-Net:                              " + r.gan());
        System.out.println("demo: linear baseline on the 11 inputs:                      " + r.baseline());
        System.out.printf(java.util.Locale.ROOT, "demo: done in %.1f s; report %s, montage %s, loss curves %s, synthesized T1w %s%n",
                r.seconds(), r.report(), r.montage(), r.lossPlot(), r.synthesized());
        System.out.printf(java.util.Locale.ROOT, "demo: open the report in a browser (one file, %.1f MB, no server needed): %s%n", r.htmlBytes() / 1e6,
                r.html().toAbsolutePath().normalize());
        return 0;
    }

    private static int or(Integer given, int dflt) {
        return given != null ? given : dflt;
    }
}
