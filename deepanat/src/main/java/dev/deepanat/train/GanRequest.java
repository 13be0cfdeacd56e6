package dev.deepanat.train;

import java.nio.file.Path;
import java.util.List;

/**
 * One {@code deepanat train-gan} run: the U-Net as generator (from {@code initGenerator}, or fresh with
 * {@code filters}/{@code levels}) fine-tuned against the 2-D discriminator. Data, validation and block order as in
 * {@link TrainRequest}.
 *
 * @param block          edge of the generator's blocks and of the discriminator's slices: the paper's 64; any multiple
 *                       of 16 (the discriminator halves it four times) for small tests and demos
 * @param advWeight      weight of the adversarial BCE in the generator's loss (the paper's 1e-3)
 * @param dEpochs        passes of the discriminator over each block's slices
 * @param dBatch         slices per discriminator step
 * @param labelSmoothing the label of real slices (1 = none)
 * @param dFilters       the discriminator's first width (the paper's 64; doubled three times)
 */
public record GanRequest(Path data, List<String> subjects, List<String> valSubjects, Double valFraction, Double valBlocks,
                         Path initGenerator, int filters, int levels, int block, int epochs, float advWeight, float lrG, float lrD,
                         int dEpochs, int dBatch, float labelSmoothing, int dFilters, boolean spectralNorm, long seed,
                         int maxBlocksPerEpoch, boolean resume, Path out) {
    /** The paper's slice size: the discriminator's input is 64 × 64, so the generator works on 64³ blocks. */
    public static final int PAPER_BLOCK = 64;

    /** The data split and block order of the same data in {@code train}. */
    TrainRequest asTrainRequest() {
        return new TrainRequest(data, subjects, valSubjects, valFraction, valBlocks, epochs, filters, levels, block, lrG,
                false, seed, initGenerator, false, maxBlocksPerEpoch, out);
    }
}
