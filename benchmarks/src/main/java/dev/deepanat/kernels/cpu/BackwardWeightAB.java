package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.backend.ConvGeometry;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Paired, interleaved A/B of the cpu backward-weight kernel against {@link ConvBackwardWeightVoxels} (the kernel
 * before issue 13, vectors along the voxels; still used for few columns), in one JVM: for each shape, rounds of (baseline, new) or (new, baseline)
 * in alternating order after a warm-up; prints the median GFLOP/s of each, the median of the per-round time ratios
 * new/baseline, and the largest difference between their results relative to the largest |dw|.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.deepanat.kernels.cpu.BackwardWeightAB [rounds]</pre>
 * (add --add-modules jdk.incubator.vector; -Ddeepanat.threads=N sets the threads).
 */
public final class BackwardWeightAB {
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        String only = args.length > 1 ? args[1] : "";
        // n, cIn, d, h, w, cOut: 3×3×3, padding 1 (the U-Net's convolutions); depth cut to keep a call ≈ 0.1-0.3 s.
        int[][] shapes = {
                {1, 48, 16, 64, 64, 48}, {1, 144, 8, 64, 64, 48}, {1, 11, 16, 64, 64, 48},
                {1, 96, 32, 32, 32, 96}, {1, 192, 16, 16, 16, 192}, {1, 384, 8, 8, 8, 384}, {1, 768, 4, 4, 4, 768},
                // the GAN discriminator's first conv2d layers (depth 1: 1×3×3 kernels) on 64² slices, batch 10
                {10, 1, 1, 64, 64, 64}, {10, 64, 1, 64, 64, 64}};
        for (int[] sh : shapes) {
            String label = sh[1] + "->" + sh[5] + " @ " + sh[2] + "x" + sh[3] + "x" + sh[4];
            if (!only.isEmpty() && !label.startsWith(only)) continue;
            int kd = sh[2] == 1 ? 1 : 3;
            ConvGeometry g = new ConvGeometry(sh[0], sh[1], sh[2], sh[3], sh[4], sh[5], kd, 3, 3, 1, 1, 1, kd / 2, 1, 1,
                    sh[2], sh[3], sh[4]);
            SplittableRandom rng = new SplittableRandom(7);
            float[] x = random(rng, g.inputSize()), dy = random(rng, g.outputSize());
            float[] dwA = new float[(int) g.weightSize()], dwB = new float[(int) g.weightSize()];
            float[] dbA = new float[g.cOut()], dbB = new float[g.cOut()];
            double flop = 2.0 * g.macs();
            for (int i = 0; i < 3; i++) {
                ConvBackwardWeightVoxels.run(g, x, dy, dwA, dbA);
                ConvBackwardWeight.run(g, x, dy, dwB, dbB);
            }
            double[] ta = new double[rounds], tb = new double[rounds], ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    ta[r] = time(() -> ConvBackwardWeightVoxels.run(g, x, dy, dwA, dbA));
                    tb[r] = time(() -> ConvBackwardWeight.run(g, x, dy, dwB, dbB));
                } else {
                    tb[r] = time(() -> ConvBackwardWeight.run(g, x, dy, dwB, dbB));
                    ta[r] = time(() -> ConvBackwardWeightVoxels.run(g, x, dy, dwA, dbA));
                }
                ratio[r] = tb[r] / ta[r];
            }
            double maxW = 0, diff = 0;
            for (int i = 0; i < dwA.length; i++) {
                maxW = Math.max(maxW, Math.abs(dwA[i]));
                diff = Math.max(diff, Math.abs(dwA[i] - dwB[i]));
            }
            System.out.printf("%-22s baseline %6.1f GF/s (%7.2f ms)  new %6.1f GF/s (%7.2f ms)  new/baseline time %.3f"
                            + " [%.3f..%.3f]  max|diff|/max|dw| %.1e%n", label, flop / median(ta) / 1e9,
                    median(ta) * 1e3, flop / median(tb) / 1e9, median(tb) * 1e3, median(ratio), min(ratio), max(ratio),
                    diff / maxW);
        }
    }

    static double time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    static double median(double[] a) {
        double[] b = a.clone();
        Arrays.sort(b);
        return b.length % 2 == 1 ? b[b.length / 2] : (b[b.length / 2 - 1] + b[b.length / 2]) / 2;
    }

    static double min(double[] a) { return Arrays.stream(a).min().orElse(0); }

    static double max(double[] a) { return Arrays.stream(a).max().orElse(0); }

    static float[] random(SplittableRandom rng, long n) {
        float[] a = new float[(int) n];
        for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextDouble(-1, 1);
        return a;
    }
}
