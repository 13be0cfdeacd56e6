package dev.deepanat.app;

import dev.deepanat.common.UserError;
import dev.deepanat.data.BlockSampler;
import dev.deepanat.data.Subject;
import dev.deepanat.data.WholeVolume;
import dev.deepanat.diffusion.FitMethod;
import dev.deepanat.diffusion.PreparePipeline;
import dev.deepanat.diffusion.PrepareRequest;
import dev.deepanat.diffusion.ShellChoice;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.loss.Losses;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.eval.Metrics;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiImage;
import dev.deepanat.phantom.BrainPhantom;
import dev.deepanat.phantom.PhantomSpec;
import dev.deepanat.phantom.PhantomWriter;
import dev.deepanat.train.Checkpoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * DeepAnat end to end on the built-in phantom, with nothing to download: two synthetic subjects (DWI, T1w, mask)
 * → tensor fit and the 11 inputs → a U-Net trained on blocks of the first subject with masked L1 and Adam → the
 * second, unseen subject's T1w synthesized whole-brain, written as NIfTI and scored against its true T1w.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run DeepAnat end to end on the built-in phantom: simulate, prepare, train, synthesize, evaluate.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "demo-out", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--size", defaultValue = "64", description = "Phantom grid edge in voxels (default ${DEFAULT-VALUE}).")
    int size;
    @Option(names = "--steps", defaultValue = "300", description = "Training steps (default ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--block", defaultValue = "32", description = "Training block edge (default ${DEFAULT-VALUE}).")
    int block;
    @Option(names = "--filters", defaultValue = "8", description = "U-Net base filters (the paper: 48; default ${DEFAULT-VALUE}).")
    int filters;
    @Option(names = "--levels", defaultValue = "4", description = "U-Net levels (the paper: 5; default ${DEFAULT-VALUE}).")
    int levels;
    @Option(names = "--lr", defaultValue = "2e-3", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    float lr;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the phantom, the weights and the blocks (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--backend", description = "Compute backend: reference, cpu (default: the fastest CPU backend found).")
    String backend;

    @Override
    public Integer call() throws Exception {
        if (backend != null) Backends.setDefault(Backends.get(backend));
        UNetConfig cfg = new UNetConfig(11, 1, filters, levels, false);
        if (block % cfg.sizeMultiple() != 0 || block > size)
            throw new UserError("--block " + block + " must be a multiple of " + cfg.sizeMultiple() + " (for " + levels
                    + " levels) and at most --size " + size);
        long t0 = System.nanoTime();

        PhantomSpec spec = new PhantomSpec(2, size, seed, 30, 3, false, true);
        Subject train = simulateAndPrepare(spec, 0);
        Subject test = simulateAndPrepare(spec, 1);
        System.out.printf("demo: phantom subjects %s (training) and %s (held out), %d³ voxels, prepared in %.1f s%n",
                train.id(), test.id(), size, seconds(t0));

        SplittableRandom rng = new SplittableRandom(seed);
        UNet3d net = new UNet3d(cfg, rng);
        System.out.printf("demo: U-Net %d levels, %d base filters, %,d parameters; %d steps on %d³ blocks; backend %s%n",
                levels, filters, net.parameterCount(), steps, block, Backends.defaultBackend().name());
        BlockSampler blocks = new BlockSampler(train, block, seed);
        Adam adam = new Adam(net.parameters(), lr);
        long tTrain = System.nanoTime();
        double window = 0;
        int inWindow = 0;
        for (int step = 1; step <= steps; step++) {
            Tensor[] b = blocks.next();
            adam.zeroGrad();
            Tensor loss = Losses.maskedL1(net.forward(b[0]), b[1], b[2]);
            loss.backward();
            adam.step();
            window += loss.item();
            inWindow++;
            if (step % Math.max(1, steps / 10) == 0 || step == steps) {
                System.out.printf("step %4d/%d  masked L1 %.4f (mean of last %d)  %.2f s/step%n",
                        step, steps, window / inWindow, inWindow, seconds(tTrain) / step);
                window = 0;
                inWindow = 0;
            }
        }
        Path ckpt = out.resolve("unet.safetensors");
        Checkpoints.save(ckpt, net);

        float[] pred = WholeVolume.predict(net, test);
        float[] synth = test.targetStats().denormalize(pred, test.mask());
        float[] truth = test.targetStats().denormalize(test.target(), test.mask());
        Path synthFile = out.resolve(test.id() + "_t1w_synth.nii.gz");
        Nifti.write(synthFile, NiftiImage.of(test.geometry(), new int[] {test.nx(), test.ny(), test.nz()}, synth));
        // Baseline: the best constant image (the T1w's mean inside the mask) — what an untrained model reaches.
        float[] constant = test.targetStats().denormalize(new float[pred.length], test.mask());
        System.out.printf("demo: held-out %s, synthesized T1w vs true T1w inside the mask: %s%n", test.id(),
                Metrics.of(synth, truth, test.mask(), test.nx(), test.ny(), test.nz()));
        System.out.printf("demo: (a constant image at the mean T1w would score %s)%n", Metrics.of(constant, truth, test.mask(), test.nx(), test.ny(), test.nz()));
        System.out.printf("demo: wrote %s and %s in %.1f s%n", synthFile, ckpt, seconds(t0));
        return 0;
    }

    private Subject simulateAndPrepare(PhantomSpec spec, int index) {
        String sj = PhantomSpec.subjectId(index);
        Path dir = out.resolve("phantom");
        PhantomWriter.write(BrainPhantom.generate(spec, index), dir);
        Path sub = dir.resolve(sj);
        Path mask = sub.resolve(sj + "_mask.nii.gz");
        Path prepared = out.resolve("prepared").resolve(sj);
        PreparePipeline.run(new PrepareRequest(sub.resolve(sj + "_dwi.nii.gz"), sub.resolve(sj + "_dwi.bval"),
                sub.resolve(sj + "_dwi.bvec"), mask, sj, prepared, ShellChoice.parse("1000"), 50, FitMethod.WLS, 0));
        return Subject.load(prepared, sj, mask, sub.resolve(sj + "_t1w.nii.gz"));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
