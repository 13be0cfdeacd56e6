package dev.deepanat.report;

import dev.deepanat.common.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A run's {@code history.csv} (U-Net or GAN) read back as columns; an empty cell (no validation) is NaN. */
public record HistoryCsv(Path file, Map<String, double[]> columns) {

    public static HistoryCsv read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (lines.isEmpty()) throw new UserError(file + ": empty; expected a header line and one line per epoch");
        String[] head = lines.getFirst().split(",", -1);
        double[][] cols = new double[head.length][lines.size() - 1];
        for (int r = 1; r < lines.size(); r++) {
            String[] cells = lines.get(r).split(",", -1);
            if (cells.length != head.length)
                throw new UserError(file + ": line " + (r + 1) + " has " + cells.length + " fields, the header " + head.length);
            for (int c = 0; c < head.length; c++) {
                try {
                    cols[c][r - 1] = cells[c].isBlank() ? Double.NaN : Double.parseDouble(cells[c]);
                } catch (NumberFormatException e) {
                    throw new UserError(file + ": line " + (r + 1) + ", " + head[c] + ": '" + cells[c] + "' is not a number");
                }
            }
        }
        Map<String, double[]> m = new LinkedHashMap<>();
        for (int c = 0; c < head.length; c++) m.put(head[c].trim(), cols[c]);
        if (!m.containsKey("epoch")) throw new UserError(file + ": no 'epoch' column; not a DeepAnat history.csv");
        return new HistoryCsv(file, m);
    }

    /** The GAN's history has the discriminator's columns. */
    public boolean isGan() {
        return columns.containsKey("d_loss");
    }

    public int epochs() {
        return columns.get("epoch").length;
    }

    public double[] column(String name) {
        double[] v = columns.get(name);
        if (v == null) throw new UserError(file + ": no '" + name + "' column");
        return v;
    }

    /** The loss curves: U-Net training/validation, or the GAN's losses and its discriminator's accuracy. */
    public List<ReportPage.Chart> charts(String what) {
        double[] x = column("epoch");
        if (!isGan())
            return List.of(new ReportPage.Chart(what + ": masked L1", "epoch", "masked L1", x, List.of(
                    new ReportPage.Series("training", column("train_loss")), new ReportPage.Series("validation", column("val_loss")))));
        return List.of(
                new ReportPage.Chart(what + ": losses", "epoch", "loss", x, List.of(
                        new ReportPage.Series("generator masked L1", column("train_l1")),
                        new ReportPage.Series("validation masked L1", column("val_l1")),
                        new ReportPage.Series("generator adversarial BCE", column("train_adv")),
                        new ReportPage.Series("discriminator BCE", column("d_loss")))),
                new ReportPage.Chart(what + ": discriminator accuracy", "epoch", "accuracy", x, List.of(
                        new ReportPage.Series("on real slices", column("d_acc_real")),
                        new ReportPage.Series("on generated slices", column("d_acc_fake")))));
    }

    /** "0.0123 at epoch 7" for the lowest finite value of a column, or null when it has none. */
    public String best(String name) {
        double[] v = column(name), e = column("epoch");
        int at = -1;
        for (int i = 0; i < v.length; i++) if (Double.isFinite(v[i]) && (at < 0 || v[i] < v[at])) at = i;
        return at < 0 ? null : String.format(java.util.Locale.ROOT, "%.4g at epoch %d", v[at], (int) e[at]);
    }
}
