package dev.deepanat.train;

import java.util.Locale;

/**
 * One line of a GAN run's {@code history.csv}: the generator's masked L1 and adversarial BCE, the discriminator's
 * BCE and its accuracy on real and on generated slices (threshold 0.5), validation masked L1, seconds.
 */
public record GanEpochRecord(int epoch, double l1, double adversarial, double dLoss, double dAccReal, double dAccFake,
                             double valL1, double seconds) {
    static final String CSV_HEADER = "epoch,train_l1,train_adv,d_loss,d_acc_real,d_acc_fake,val_l1,seconds";

    String csv() {
        return String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%s,%s,%.3f", epoch, num(l1), num(adversarial), num(dLoss),
                num(dAccReal), num(dAccFake), num(valL1), seconds);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }
}
