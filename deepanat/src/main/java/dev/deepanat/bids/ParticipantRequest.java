package dev.deepanat.bids;

import dev.deepanat.infer.Tiling;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code deepanat bids BIDS_DIR OUTPUT_DIR participant}: the labels (without {@code sub-}; empty = all) and sessions to
 * run, the model, the shard, whether complete outputs are skipped, the work folder (null: a hidden folder in the
 * output) and the mask derivatives (null: masks computed).
 */
public record ParticipantRequest(Path bidsDir, Path outDir, List<String> labels, List<String> sessions, Path model,
                                 Shard shard, boolean skipExisting, Path workDir, Path maskDir, Tiling tiling, int threads) {}
