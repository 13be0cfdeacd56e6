package dev.deepanat.train;

import dev.deepanat.common.AtomicFiles;
import dev.deepanat.common.BuildInfo;
import dev.deepanat.common.UserError;
import dev.deepanat.data.BlockSet;
import dev.deepanat.data.InputChannels;
import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.loss.LossMeter;
import dev.deepanat.engine.loss.Losses;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import dev.deepanat.report.LossPlot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * DeepAnat's training: the U-Net on every training block and its x-flipped copy, reshuffled each epoch, masked L1,
 * Adam, batch 1; validation (masked L1, no flips, eval mode) after each epoch. After each epoch the run folder gets
 * {@code last.safetensors}, {@code best.safetensors} (lowest validation loss; the last epoch when there is no
 * validation), {@code history.csv}, {@code loss.png} and the resume state ({@link RunState}), each written atomically.
 * On the CPU a fixed seed gives bit-identical checkpoints, resumed or not.
 */
public final class Trainer {
    /** Training steps between two host reads of the loss (the progress bar moves at each read). */
    static final int LOSS_READ_EVERY = 10;
    public static final String BEST = "best.safetensors", LAST = "last.safetensors", HISTORY = "history.csv", PLOT = "loss.png",
            RESUME_STATE = RunState.FILE;

    /** Progress callbacks; the CLI draws progress bars with them, tests ignore them. */
    public interface Listener {
        default void message(String line) {}

        default void epochStart(int epoch, int epochs, int blocks) {}

        /** Every few training blocks, when the loss is read: blocks done this epoch and their mean loss so far. */
        default void step(int done, double meanLoss) {}

        default void epochEnd(EpochRecord r, boolean best) {}
    }

    /** @param epochsTrained the epochs this call trained (0 when a resumed run had them all already) */
    public record Result(Path best, Path last, List<EpochRecord> history, ModelCard card, int epochsTrained) {}

    private Trainer() {}

    public static Result run(TrainRequest r, Backend be, Listener out) {
        check(r);
        Path run = r.out();
        if (!r.resume() && Files.exists(run.resolve(RunState.FILE))) // the resume state is written last: it marks a finished epoch
            throw new UserError(run + ": already holds a run; pass --resume to continue it, or choose another --out");
        RunState.Loaded saved = r.resume() ? RunState.load(run, be) : null;

        // The model first: a wrong --block or checkpoint is refused before minutes of data loading.
        UNet3d net = startingModel(r, saved, be, out);
        UNetConfig cfg = net.config();
        if (r.block() % cfg.sizeMultiple() != 0)
            throw new UserError("--block " + r.block() + ": must be a multiple of " + cfg.sizeMultiple() + " for a " + cfg.levels() + "-level U-Net");

        DataSplit data = DataSplit.of(r);
        if (data.train().size() == 0) throw new UserError("no training blocks are left after the validation split (" + data.rule() + ")");
        if (saved != null) saved.state().requireSameRun(run, r, data);
        double[] t1 = data.t1wStats();
        ModelCard card = saved != null ? saved.model().card() : new ModelCard(cfg, r.block(), InputChannels.SUFFIXES,
                ModelCard.normalizedChannelNames(), t1[0], t1[1], data.trainSubjects(), BuildInfo.version(), 0);
        Adam adam = new Adam(net.parameters(), r.lr());
        List<EpochRecord> history = new ArrayList<>();
        double bestVal = Double.POSITIVE_INFINITY;
        int first = 1;
        if (saved != null) {
            RunState.restore(saved, net, adam);
            history.addAll(saved.state().history());
            bestVal = saved.state().bestVal();
            first = saved.state().epochsDone() + 1;
            out.message("resuming " + run + " after epoch " + saved.state().epochsDone());
        }
        out.message(String.format("training on %s, %s; %d training blocks per epoch (%d³, with x-flips), %d validation blocks",
                data.trainSubjects(), data.rule(), data.train().size(), r.block(), data.val().size()));
        out.message(String.format("U-Net %d levels, %d base filters%s, %,d parameters; Adam lr %s; backend %s",
                cfg.levels(), cfg.baseFilters(), cfg.batchNorm() ? ", batch norm" : "", net.parameterCount(), Float.toString(r.lr()), be.name()));

        for (int epoch = first; epoch <= r.epochs(); epoch++) {
            long t0 = System.nanoTime();
            List<BlockSet.Ref> order = data.train().epochOrder(r.seed(), epoch, r.maxBlocksPerEpoch());
            out.epochStart(epoch, r.epochs(), order.size());
            net.train(true);
            double trainLoss;
            // The loss stays on the device; the host reads it every LOSS_READ_EVERY steps, checking each value.
            try (LossMeter meter = new LossMeter(be, "training (masked L1)", LOSS_READ_EVERY)) {
                for (int i = 0; i < order.size(); i++) {
                    try (MemoryScope step = MemoryScope.open()) { // every tensor of the step is freed when it ends
                        Tensor[] b = data.train().tensors(order.get(i), be);
                        meter.add(TrainingStep.run(net, adam, b[0], b[1], b[2]), "epoch " + epoch + ", training block " + (i + 1) + " of " + order.size());
                    }
                    if (meter.pending() == 0) out.step(i + 1, meter.mean());
                }
                meter.read();
                trainLoss = meter.mean();
            } catch (ArithmeticException e) {
                throw new UserError(e.getMessage(), e);
            }
            out.step(order.size(), trainLoss);
            double val = validate(net, data.val(), be);
            EpochRecord rec = new EpochRecord(epoch, trainLoss, val, (System.nanoTime() - t0) / 1e9, r.lr());
            history.add(rec);
            boolean best = data.val().size() == 0 || val < bestVal;
            if (best && data.val().size() > 0) bestVal = val;
            ModelCard now = card.atEpoch(epoch);
            Checkpoints.save(run.resolve(LAST), net, now);
            if (best) Checkpoints.save(run.resolve(BEST), net, now);
            writeHistory(run, history);
            RunState.save(run, net, now, adam, RunState.of(epoch, bestVal, history, r, data));
            out.epochEnd(rec, best);
        }
        return new Result(run.resolve(BEST), run.resolve(LAST), history, card.atEpoch(history.isEmpty() ? 0 : history.getLast().epoch()),
                Math.max(0, r.epochs() - first + 1));
    }

    /** The resumed run's network, the checkpoint to fine-tune (its weights kept), or a fresh one from the seed. */
    private static UNet3d startingModel(TrainRequest r, RunState.Loaded saved, Backend be, Listener out) {
        if (saved != null) {
            if (saved.model().card().block() != r.block())
                throw new UserError("--resume: " + r.out() + " was trained on " + saved.model().card().block() + "³ blocks, this command asks for "
                        + r.block() + "³; give the same options as the interrupted run");
            return saved.model().net();
        }
        if (r.init() != null) {
            Checkpoints.TrainedModel init = Checkpoints.load(r.init(), be);
            UNetConfig c = init.card().config();
            out.message("fine-tuning " + r.init() + " (trained on " + init.card().trainingSubjects() + ", epoch " + init.card().epoch()
                    + "; its architecture: " + c.levels() + " levels, " + c.baseFilters() + " filters)");
            return init.net(); // fine-tuning keeps these weights (the original rebuilt the model after loading them)
        }
        UNet3d net = new UNet3d(new UNetConfig(InputChannels.COUNT, 1, r.filters(), r.levels(), r.batchNorm()), new SplittableRandom(r.seed()));
        net.to(be);
        return net;
    }

    /** Mean masked L1 over the validation blocks, in eval mode without gradients; NaN when there are none. */
    static double validate(UNet3d net, BlockSet val, Backend be) {
        if (val.size() == 0) return Double.NaN;
        net.eval();
        try (Autograd.NoGrad ng = Autograd.noGrad(); LossMeter meter = new LossMeter(be, "validation (masked L1)", val.size())) {
            int i = 0;
            for (BlockSet.Ref ref : val.refs()) {
                try (MemoryScope block = MemoryScope.open()) {
                    Tensor[] b = val.tensors(ref, be);
                    meter.add(Losses.maskedL1(net.forward(b[0]), b[1], b[2]), "validation block " + ++i);
                }
            }
            meter.read();
            return meter.mean();
        } catch (ArithmeticException e) {
            throw new UserError(e.getMessage(), e);
        } finally {
            net.train(true);
        }
    }

    private static void check(TrainRequest r) {
        if (r.epochs() < 1) throw new UserError("--epochs " + r.epochs() + ": must be at least 1");
        if (!(r.lr() > 0)) throw new UserError("--lr " + r.lr() + ": must be positive");
        if (r.block() < 1) throw new UserError("--block " + r.block() + ": must be positive");
        if (r.filters() < 1 || r.filters() > 1024) throw new UserError("--filters " + r.filters() + ": must be in 1..1024");
        if (r.levels() < 1 || r.levels() > 8) throw new UserError("--levels " + r.levels() + ": must be in 1..8");
        if (r.maxBlocksPerEpoch() < 0) throw new UserError("--max-blocks-per-epoch " + r.maxBlocksPerEpoch() + ": must be >= 0");
        if (Files.exists(r.out()) && !Files.isDirectory(r.out())) throw new UserError(r.out() + ": exists and is not a folder");
    }

    static void writeHistory(Path run, List<EpochRecord> history) {
        StringBuilder csv = new StringBuilder(EpochRecord.CSV_HEADER).append('\n');
        int n = history.size();
        double[] x = new double[n], train = new double[n], val = new double[n];
        for (int i = 0; i < n; i++) {
            EpochRecord e = history.get(i);
            csv.append(e.csv()).append('\n');
            x[i] = e.epoch();
            train[i] = e.trainLoss();
            val[i] = e.valLoss();
        }
        AtomicFiles.writeString(run.resolve(HISTORY), csv.toString());
        try {
            LossPlot.write(run.resolve(PLOT), "DeepAnat U-Net training", "epoch", "masked L1", false,
                    List.of(new LossPlot.Series("training", x, train), new LossPlot.Series("validation", x, val)));
        } catch (java.io.IOException e) {
            throw new UserError(run.resolve(PLOT) + ": cannot write the loss plot (" + e.getMessage() + ")", e);
        }
    }
}
