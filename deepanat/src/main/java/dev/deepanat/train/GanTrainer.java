package dev.deepanat.train;

import dev.deepanat.common.AtomicFiles;
import dev.deepanat.common.BuildInfo;
import dev.deepanat.common.UserError;
import dev.deepanat.data.BlockSet;
import dev.deepanat.data.InputChannels;
import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.io.Safetensors;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.model.Discriminator;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import dev.deepanat.report.LossPlot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * DeepAnat's hybrid GAN: the U-Net generator fine-tuned against a 2-D discriminator on the three orientations of
 * every block's slices (64³ blocks, 64 × 64 slices in the paper), as the original's {@code s_DeepAnat_trainGAN.py} meant it (that script does not run):
 * <ol>
 *   <li>the generator synthesizes the block (inference mode, no gradient); its slices and the real T1w's whose real
 *       slice has an L2 norm above 15 ({@link BlockSlices#informative}) train the discriminator: BCE, labels 0 for
 *       generated and {@code labelSmoothing} for real, {@code dEpochs} shuffled passes in batches of {@code dBatch};
 *       a block with no such slice is skipped for the discriminator only;</li>
 *   <li>the generator takes one Adam step on masked L1 + advWeight × BCE(D(its slices), labelSmoothing) over all
 *       3·b slices, with the discriminator frozen: no update of its weights, spectral-norm vectors or batch-norm
 *       running averages (its batch norm still normalizes with the batch's statistics).</li>
 * </ol>
 * Generated blocks are multiplied by the mask before slicing, as the real T1w is: otherwise the background alone
 * would tell them apart. Validation is the generator's masked L1, as in {@code train}. After each epoch the run folder
 * gets the generator's {@code last.safetensors} and {@code best.safetensors} (U-Net checkpoints that {@code predict}
 * takes), the discriminator's {@code discriminator.safetensors}, {@code history.csv} and {@code loss.png}.
 */
public final class GanTrainer {
    public static final String DISCRIMINATOR = "discriminator.safetensors", HISTORY = "history.csv", PLOT = "loss.png",
            RESUME_STATE = GanRunState.FILE;
    /** Blocks between two host reads of the losses. */
    static final int READ_EVERY = 10;

    /** The run's outcome: checkpoints, history, and the validation L1 of the starting generator. */
    public record Result(Path best, Path last, Path discriminator, List<GanEpochRecord> history, double startValL1) {}

    private GanTrainer() {}

    public static Result run(GanRequest r, Backend be, Trainer.Listener out) {
        check(r);
        Path run = r.out();
        if (!r.resume() && Files.exists(run.resolve(GanRunState.FILE)))
            throw new UserError(run + ": already holds a GAN run; pass --resume to continue it, or choose another --out");
        UNet3d g = generator(r, be, out);
        int b = r.block();
        if (b % g.config().sizeMultiple() != 0)
            throw new UserError("--block " + b + ": the generator's " + g.config().levels() + " levels need a multiple of " + g.config().sizeMultiple());
        DataSplit data = DataSplit.of(r.asTrainRequest());
        if (data.train().size() == 0) throw new UserError("no training blocks are left after the validation split (" + data.rule() + ")");
        double[] t1 = data.t1wStats();
        ModelCard card = new ModelCard(g.config(), b, InputChannels.SUFFIXES, ModelCard.normalizedChannelNames(), t1[0], t1[1],
                data.trainSubjects(), BuildInfo.version(), 0);
        Discriminator d = new Discriminator(b, r.dFilters(), r.spectralNorm(), new SplittableRandom(r.seed() ^ 0x5DEECE66DL));
        d.to(be);
        Adam gAdam = new Adam(g.parameters(), r.lrG()), dAdam = new Adam(d.parameters(), r.lrD());
        out.message(String.format("GAN on %s, %s; %d training blocks per epoch (%d³, with x-flips), %d validation blocks",
                data.trainSubjects(), data.rule(), data.train().size(), b, data.val().size()));
        out.message(String.format(java.util.Locale.ROOT, "discriminator %,d parameters%s; adversarial weight %.3g, lr G %.3g, D %.3g; "
                        + "per block %d discriminator pass%s in batches of %d slices; backend %s",
                d.parameterCount(), r.spectralNorm() ? ", spectral norm" : "", r.advWeight(), r.lrG(), r.lrD(), r.dEpochs(),
                r.dEpochs() == 1 ? "" : "es", r.dBatch(), be.name()));

        List<GanEpochRecord> history = new ArrayList<>();
        double startVal, bestVal = Double.POSITIVE_INFINITY;
        int first = 1;
        if (r.resume()) {
            GanRunState s = GanRunState.restore(run, r, data, g, gAdam, d, dAdam, be);
            history.addAll(s.history());
            bestVal = s.bestVal();
            startVal = s.startVal();
            first = s.epochsDone() + 1;
            out.message("resuming " + run + " after epoch " + s.epochsDone());
        } else {
            startVal = Trainer.validate(g, data.val(), be);
        }
        String options = GanRunState.options(r, data);
        GanStep.Options opts = new GanStep.Options(r.advWeight(), r.dEpochs(), r.dBatch(), r.labelSmoothing());
        for (int epoch = first; epoch <= r.epochs(); epoch++) {
            long t0 = System.nanoTime();
            List<BlockSet.Ref> order = data.train().epochOrder(r.seed(), epoch, r.maxBlocksPerEpoch());
            out.epochStart(epoch, r.epochs(), order.size());
            GanStep.Meters m = new GanStep.Meters(be, READ_EVERY);
            try (m) {
                for (int i = 0; i < order.size(); i++) {
                    String where = "epoch " + epoch + ", block " + (i + 1) + " of " + order.size();
                    try (MemoryScope step = MemoryScope.open()) {
                        Tensor[] blk = data.train().tensors(order.get(i), be);
                        // The discriminator's batch order depends on (seed, epoch, block) only, so a resumed run repeats it.
                        SplittableRandom shuffle = new SplittableRandom(r.seed() * 1_000_003L + epoch * 65_537L + i);
                        GanStep.run(opts, g, d, gAdam, dAdam, blk, shuffle, m, where);
                    }
                    if (m.l1.pending() == 0) out.step(i + 1, m.l1.mean());
                }
                m.readAll();
            } catch (ArithmeticException e) {
                throw new UserError(e.getMessage(), e);
            }
            out.step(order.size(), m.l1.mean());
            double val = Trainer.validate(g, data.val(), be);
            GanEpochRecord rec = new GanEpochRecord(epoch, m.l1.mean(), m.adv.mean(), m.dLoss.mean(), m.accuracyReal(),
                    m.accuracyFake(), val, (System.nanoTime() - t0) / 1e9);
            history.add(rec);
            boolean best = data.val().size() == 0 || val < bestVal;
            if (best && data.val().size() > 0) bestVal = val;
            ModelCard now = card.atEpoch(epoch);
            Checkpoints.save(run.resolve(Trainer.LAST), g, now);
            if (best) Checkpoints.save(run.resolve(Trainer.BEST), g, now);
            saveDiscriminator(run.resolve(DISCRIMINATOR), d, r, epoch);
            writeHistory(run, history);
            GanRunState.save(run, g, gAdam, d, dAdam, new GanRunState(epoch, bestVal, startVal, List.copyOf(history), options)); // last: marks the epoch done
            out.epochEnd(new EpochRecord(epoch, rec.l1(), val, rec.seconds(), r.lrG()), best);
            out.message(String.format(java.util.Locale.ROOT, "  adversarial %.4f; discriminator BCE %.4f, accuracy on real %.2f, on generated %.2f",
                    rec.adversarial(), rec.dLoss(), rec.dAccReal(), rec.dAccFake()));
        }
        gAdam.close();
        dAdam.close();
        return new Result(run.resolve(Trainer.BEST), run.resolve(Trainer.LAST), run.resolve(DISCRIMINATOR), history, startVal);
    }

    private static UNet3d generator(GanRequest r, Backend be, Trainer.Listener out) {
        if (r.initGenerator() != null) {
            Checkpoints.TrainedModel init = Checkpoints.load(r.initGenerator(), be);
            out.message("generator: " + r.initGenerator() + " (trained on " + init.card().trainingSubjects() + ", epoch " + init.card().epoch() + ")");
            return init.net();
        }
        UNet3d net = new UNet3d(new UNetConfig(InputChannels.COUNT, 1, r.filters(), r.levels(), false), new SplittableRandom(r.seed()));
        net.to(be);
        return net;
    }

    private static void saveDiscriminator(Path path, Discriminator d, GanRequest r, int epoch) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("model", "deepanat.Discriminator");
        meta.put("input", r.block() + "x" + r.block());
        meta.put("base_filters", Integer.toString(r.dFilters()));
        meta.put("spectral_norm", Boolean.toString(r.spectralNorm()));
        meta.put("epoch", Integer.toString(epoch));
        meta.put("version", BuildInfo.version());
        try {
            Safetensors.save(path, d.stateDict(), meta);
        } catch (IOException e) {
            throw new UserError(path + ": cannot write the discriminator (" + e.getMessage() + ")", e);
        }
    }

    private static void check(GanRequest r) {
        if (r.epochs() < 1) throw new UserError("--epochs " + r.epochs() + ": must be at least 1");
        if (r.block() < 16 || r.block() % 16 != 0) throw new UserError("--block " + r.block() + ": must be a multiple of 16 (the paper's is 64)");
        if (!(r.lrG() > 0) || !(r.lrD() > 0)) throw new UserError("--lr-g and --lr-d must be positive");
        if (!(r.advWeight() >= 0)) throw new UserError("--adv-weight " + r.advWeight() + ": must be >= 0");
        if (r.dEpochs() < 1) throw new UserError("--d-epochs " + r.dEpochs() + ": must be at least 1");
        if (r.dFilters() < 1 || r.dFilters() > 1024) throw new UserError("--d-filters " + r.dFilters() + ": must be in 1..1024");
        if (r.dBatch() < 2) throw new UserError("--d-batch " + r.dBatch() + ": must be at least 2 (the discriminator's batch norm)");
        if (!(r.labelSmoothing() > 0 && r.labelSmoothing() <= 1)) throw new UserError("--label-smoothing " + r.labelSmoothing() + ": must be in (0, 1]");
        if (r.maxBlocksPerEpoch() < 0) throw new UserError("--max-blocks-per-epoch " + r.maxBlocksPerEpoch() + ": must be >= 0");
        if (Files.exists(r.out()) && !Files.isDirectory(r.out())) throw new UserError(r.out() + ": exists and is not a folder");
    }

    static void writeHistory(Path run, List<GanEpochRecord> history) {
        StringBuilder csv = new StringBuilder(GanEpochRecord.CSV_HEADER).append('\n');
        int n = history.size();
        double[] x = new double[n], l1 = new double[n], val = new double[n], dLoss = new double[n], accR = new double[n], accF = new double[n];
        for (int i = 0; i < n; i++) {
            GanEpochRecord e = history.get(i);
            csv.append(e.csv()).append('\n');
            x[i] = e.epoch();
            l1[i] = e.l1();
            val[i] = e.valL1();
            dLoss[i] = e.dLoss();
            accR[i] = e.dAccReal();
            accF[i] = e.dAccFake();
        }
        AtomicFiles.writeString(run.resolve(HISTORY), csv.toString());
        try {
            LossPlot.write(run.resolve(PLOT), "DeepAnat hybrid GAN", "epoch", "loss / accuracy", false,
                    List.of(new LossPlot.Series("G masked L1", x, l1), new LossPlot.Series("G validation L1", x, val),
                            new LossPlot.Series("D BCE", x, dLoss), new LossPlot.Series("D accuracy real", x, accR),
                            new LossPlot.Series("D accuracy generated", x, accF)));
        } catch (IOException e) {
            throw new UserError(run.resolve(PLOT) + ": cannot write the loss plot (" + e.getMessage() + ")", e);
        }
    }
}
