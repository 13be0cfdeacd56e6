package dev.deepanat.app;

import dev.deepanat.infer.Predictor;
import dev.deepanat.report.Progress;
import dev.deepanat.train.EpochRecord;
import dev.deepanat.train.Trainer;

import java.util.Locale;

/** The CLI's view of training and prediction: a progress bar per epoch and over blocks, a line per epoch. */
final class ConsoleProgress implements Trainer.Listener, Predictor.Listener {
    private Progress bar;
    private int total, shown;

    @Override
    public void message(String line) {
        System.out.println(line);
    }

    @Override
    public void epochStart(int epoch, int epochs, int blocks) {
        bar = Progress.start(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs), blocks);
        shown = 0;
    }

    @Override
    public void step(int done, double meanLoss) {
        // The trainer reports every few blocks (when it reads the loss from the device): move by all of them.
        bar.setExtra(String.format(Locale.ROOT, "loss %.4f", meanLoss));
        bar.stepBy(done - shown);
        shown = done;
    }

    @Override
    public void epochEnd(EpochRecord r, boolean best) {
        bar.close();
        System.out.printf(Locale.ROOT, "epoch %d: train masked L1 %.4f, validation %s, %.1f s%s%n", r.epoch(), r.trainLoss(),
                Double.isNaN(r.valLoss()) ? "-" : String.format(Locale.ROOT, "%.4f", r.valLoss()), r.seconds(), best ? "  (best so far)" : "");
    }

    @Override
    public void start(int blocks) {
        total = blocks;
        bar = Progress.start("predict", blocks);
    }

    @Override
    public void block(int done) {
        bar.step();
        if (done == total) bar.close();
    }
}
