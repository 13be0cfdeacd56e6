package dev.deepanat.train;

import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.loss.LossMeter;
import dev.deepanat.engine.loss.Losses;
import dev.deepanat.engine.ops.Pointwise;
import dev.deepanat.engine.ops.Views;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.model.Discriminator;
import dev.deepanat.model.UNet3d;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One hybrid-GAN step on one block (see {@link GanTrainer} for the rules), the step the trainer, {@code bench --gan}
 * and the JMH benchmark all run. Nothing is read back to the host but the informative-slice norms (one transfer per
 * block); losses and accuracies go to {@link Meters}.
 */
public final class GanStep {
    /** The step's settings: adversarial weight, discriminator passes and batch, the real label. */
    public record Options(float advWeight, int dEpochs, int dBatch, float labelSmoothing) {}

    private GanStep() {}

    /** The discriminator's training on the block, then the generator's step. blk = {inputs, target, mask}. */
    public static void run(Options o, UNet3d g, Discriminator d, Adam gAdam, Adam dAdam, Tensor[] blk, SplittableRandom shuffle,
                           Meters m, String where) {
        discriminator(o, g, d, dAdam, blk, shuffle, m, where);
        generator(o, g, d, gAdam, blk, m, where);
    }

    /** Step 1: the discriminator on the block's informative slices, generated (label 0) and real (label smoothing). */
    public static void discriminator(Options o, UNet3d g, Discriminator d, Adam dAdam, Tensor[] blk,
                                     SplittableRandom shuffle, Meters m, String where) {
        Tensor real = BlockSlices.of(blk[1]);
        int[] idx = BlockSlices.informative(real);
        if (idx.length == 0) return;
        Tensor fake;
        g.eval();
        try (Autograd.NoGrad ng = Autograd.noGrad()) {
            fake = BlockSlices.of(g.forward(blk[0]).mul(blk[2]));
        } finally {
            g.train(true);
        }
        int k = idx.length;
        Tensor slices = Views.concat(0, Views.indexSelect(fake, idx), Views.indexSelect(real, idx));
        float[] labels = new float[2 * k];
        java.util.Arrays.fill(labels, k, 2 * k, o.labelSmoothing());
        d.train(true);
        int[] perm = new int[2 * k];
        for (int e = 0; e < o.dEpochs(); e++) {
            for (int i = 0; i < perm.length; i++) perm[i] = i;
            for (int i = perm.length - 1; i > 0; i--) {
                int j = shuffle.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            for (int s = 0; s < perm.length; s += o.dBatch()) {
                int n = Math.min(o.dBatch(), perm.length - s);
                int[] sel = java.util.Arrays.copyOfRange(perm, s, s + n);
                if (n < 2 && perm.length >= 2) continue; // batch norm needs two values per channel; a last single slice waits
                try (MemoryScope batch = MemoryScope.open()) {
                    float[] y = new float[n], isReal = new float[n];
                    for (int i = 0; i < n; i++) {
                        y[i] = labels[sel[i]];
                        isReal[i] = sel[i] >= k ? 1f : 0f;
                    }
                    Tensor yt = Tensor.of(slices.backend(), y, n, 1), rt = Tensor.of(slices.backend(), isReal, n, 1);
                    dAdam.zeroGrad();
                    Tensor p = d.forward(Views.indexSelect(slices, sel));
                    Tensor loss = Losses.bce(p, yt);
                    loss.backward();
                    dAdam.step();
                    m.dLoss.add(loss, "discriminator, " + where);
                    try (Autograd.NoGrad ng = Autograd.noGrad()) {
                        Tensor pd = p.detach();
                        m.correctReal.add(Pointwise.step(pd.add(-0.5f)).mul(rt).sum(), where);
                        m.correctFake.add(Pointwise.step(pd.neg().add(0.5f)).mul(rt.neg().add(1f)).sum(), where);
                    }
                    int nr = 0;
                    for (float v : isReal) nr += (int) v;
                    m.realSeen += nr;
                    m.fakeSeen += n - nr;
                }
            }
        }
    }

    /** Step 2: one generator step on masked L1 + advWeight × BCE(D(slices), real label), the discriminator frozen. */
    public static void generator(Options o, UNet3d g, Discriminator d, Adam gAdam, Tensor[] blk, Meters m, String where) {
        gAdam.zeroGrad();
        d.freeze(true);
        try {
            Tensor y = g.forward(blk[0]);
            Tensor l1 = Losses.maskedL1(y, blk[1], blk[2]);
            Tensor p = d.forward(BlockSlices.of(y.mul(blk[2])));
            Tensor adv = Losses.bce(p, Tensor.full(p.backend(), o.labelSmoothing(), p.shape()));
            l1.add(adv.mul(o.advWeight())).backward();
            gAdam.step();
            m.l1.add(l1, "generator, " + where);
            m.adv.add(adv, "generator, " + where);
        } finally {
            d.freeze(false);
        }
    }

    /** The device-side meters of a run of steps: losses and the discriminator's correct answers, read every few blocks. */
    public static final class Meters implements AutoCloseable {
        public final LossMeter l1, adv, dLoss, correctReal, correctFake;
        long realSeen, fakeSeen;

        /** @param readEvery generator steps between two host reads (the discriminator's meters hold 16× more) */
        public Meters(Backend be, int readEvery) {
            l1 = new LossMeter(be, "generator masked L1", readEvery);
            adv = new LossMeter(be, "generator adversarial BCE", readEvery);
            dLoss = new LossMeter(be, "discriminator BCE", 16 * readEvery);
            correctReal = new LossMeter(be, "discriminator correct on real", 16 * readEvery);
            correctFake = new LossMeter(be, "discriminator correct on generated", 16 * readEvery);
        }

        public void readAll() {
            for (LossMeter x : List.of(l1, adv, dLoss, correctReal, correctFake)) x.read();
        }

        /** The discriminator's accuracy on real slices (threshold 0.5) over the values read so far. */
        public double accuracyReal() {
            return accuracy(correctReal, realSeen);
        }

        public double accuracyFake() {
            return accuracy(correctFake, fakeSeen);
        }

        private static double accuracy(LossMeter correct, long seen) {
            return seen == 0 ? Double.NaN : correct.mean() * correct.count() / seen;
        }

        @Override
        public void close() {
            for (LossMeter x : List.of(l1, adv, dLoss, correctReal, correctFake)) x.close();
        }
    }

}
