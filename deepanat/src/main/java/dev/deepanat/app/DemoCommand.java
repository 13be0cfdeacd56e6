package dev.deepanat.app;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.loss.Losses;
import dev.deepanat.engine.ops.Convolution;
import dev.deepanat.engine.ops.Padding;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import dev.deepanat.train.Checkpoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * The smallest real end-to-end job, until the DeepAnat pipeline lands: a U-Net learns a nonlinear, spatially
 * smooth mapping from an 11-channel random block to one output channel with masked L1 and Adam; the loss is printed
 * as it falls and the trained model is saved as a safetensors checkpoint that PyTorch can read.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train a small 3D U-Net end to end on a synthetic block and save its checkpoint.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--steps", defaultValue = "80", description = "Training steps (default ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--block", defaultValue = "16", description = "Block edge in voxels (default ${DEFAULT-VALUE}).")
    int block;
    @Option(names = "--filters", defaultValue = "8", description = "Base filters (default ${DEFAULT-VALUE}).")
    int filters;
    @Option(names = "--levels", defaultValue = "3", description = "U-Net levels (default ${DEFAULT-VALUE}).")
    int levels;
    @Option(names = "--lr", defaultValue = "3e-3", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    float lr;
    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--backend", description = "Compute backend (default: the fastest CPU backend found).")
    String backend;
    @Option(names = "--out", defaultValue = "demo-out", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (backend != null) Backends.setDefault(Backends.get(backend));
        UNetConfig cfg = new UNetConfig(11, 1, filters, levels, false);
        if (block % cfg.sizeMultiple() != 0)
            throw new UserError("--block " + block + " must be a multiple of " + cfg.sizeMultiple() + " for " + levels + " levels");
        SplittableRandom rng = new SplittableRandom(seed);
        UNet3d net = new UNet3d(cfg, rng);
        System.out.printf("demo: U-Net %d levels, %d base filters (%,d parameters) on a %d³ block, backend %s%n",
                levels, filters, net.parameterCount(), block, Backends.defaultBackend().name());

        Tensor x = Tensor.randn(rng, 0, 1, 1, 11, block, block, block);
        Tensor target = syntheticTarget(x);
        Tensor mask = sphereMask(block);
        Adam adam = new Adam(net.parameters(), lr);
        long t0 = System.nanoTime();
        float first = 0, loss = 0;
        for (int step = 1; step <= steps; step++) {
            adam.zeroGrad();
            Tensor l = Losses.maskedL1(net.forward(x), target, mask);
            l.backward();
            adam.step();
            loss = l.item();
            if (step == 1) first = loss;
            if (step == 1 || step % Math.max(1, steps / 10) == 0 || step == steps)
                System.out.printf("step %4d/%d  masked L1 %.5f  (%.1f s)%n", step, steps, loss, (System.nanoTime() - t0) / 1e9);
        }
        Path ckpt = out.resolve("unet.safetensors");
        Checkpoints.save(ckpt, net);
        System.out.printf("demo: loss fell %.1f× (%.4f → %.4f); checkpoint %s%n", first / loss, first, loss, ckpt);
        return 0;
    }

    /** T1w-like target: a smooth, nonlinear mix of the inputs (3³ box average, then ReLU and offsets). */
    private static Tensor syntheticTarget(Tensor x) {
        float[] w = new float[11 * 27];
        for (int c = 0; c < 11; c++) Arrays.fill(w, c * 27, (c + 1) * 27, (c % 3 - 1) * 0.3f / 27 + 0.05f);
        Tensor mixed = Convolution.conv3d(x, Tensor.of(w, 1, 11, 3, 3, 3), null, new int[] {1, 1, 1}, Padding.same());
        return mixed.relu().add(mixed.mul(0.2f)).add(1f).detach();
    }

    private static Tensor sphereMask(int n) {
        float[] m = new float[n * n * n];
        double r = n * 0.45, c = (n - 1) / 2.0;
        for (int z = 0, i = 0; z < n; z++)
            for (int y = 0; y < n; y++)
                for (int xx = 0; xx < n; xx++, i++)
                    m[i] = (z - c) * (z - c) + (y - c) * (y - c) + (xx - c) * (xx - c) <= r * r ? 1f : 0f;
        return Tensor.of(m, 1, 1, n, n, n);
    }
}
