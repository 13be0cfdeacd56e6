package dev.deepanat.train;

import java.nio.file.Path;
import java.util.List;

/**
 * One {@code deepanat train} run. Validation is, in this order: {@code valSubjects}; else a seeded {@code valFraction}
 * of the subjects; else a seeded {@code valBlocks} fraction of each subject's blocks; else the defaults: 20% of each
 * subject's blocks when fine-tuning ({@code init}) or with a single subject (the original's fine-tuning split),
 * 20% of the subjects otherwise. A fraction of 0 turns validation off.
 *
 * @param subjects           training subjects (null: every subject in {@code data})
 * @param maxBlocksPerEpoch  0 for every block
 */
public record TrainRequest(Path data, List<String> subjects, List<String> valSubjects, Double valFraction,
                           Double valBlocks, int epochs, int filters, int levels, int block, float lr,
                           boolean batchNorm, long seed, Path init, boolean resume, int maxBlocksPerEpoch, Path out) {
    public static final double DEFAULT_VAL_FRACTION = 0.2;
}
