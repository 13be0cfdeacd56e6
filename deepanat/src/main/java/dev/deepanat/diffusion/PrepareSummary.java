package dev.deepanat.diffusion;

import java.nio.file.Path;
import java.util.List;

/** What {@code deepanat prepare} did, for the one-paragraph summary it prints. */
public record PrepareSummary(int maskVoxels, boolean maskComputed, int b0Volumes, int dwiVolumes, int totalVolumes,
                             double synthesisB, double seconds, double fitSeconds, List<Path> written) {}
