package dev.deepanat.train;

/** One line of {@code history.csv}: the epoch (1-based), mean training and validation masked L1 (NaN: none), seconds, lr. */
public record EpochRecord(int epoch, double trainLoss, double valLoss, double seconds, float lr) {
    static final String CSV_HEADER = "epoch,train_loss,val_loss,seconds,lr";

    String csv() {
        return epoch + "," + trainLoss + "," + (Double.isNaN(valLoss) ? "" : Double.toString(valLoss)) + ","
                + String.format(java.util.Locale.ROOT, "%.3f", seconds) + "," + lr;
    }
}
