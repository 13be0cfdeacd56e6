package dev.deepanat.profile;

import dev.deepanat.profile.Peaks.Peak;

/**
 * One row of a profile: the calls of one kernel on one shape in one layer and pass, per step, with the roofline
 * figures derived from the measured peaks.
 */
public record LayerRow(String layer, String pass, String kernel, String shape, double callsPerStep, double seconds,
                       double flop, double bytes) {
    /** FLOP per byte moved (0 for kernels that move nothing). */
    public double intensity() {
        return bytes == 0 ? 0 : flop / bytes;
    }

    public double gflops() {
        return seconds == 0 ? 0 : flop / seconds / 1e9;
    }

    public double gbPerS() {
        return seconds == 0 ? 0 : bytes / seconds / 1e9;
    }

    /** Whether the bandwidth roof is below the compute roof at this intensity. */
    public boolean memoryBound(Peak p) {
        return bytes > 0 && intensity() < p.ridge();
    }

    /** Achieved FLOP/s as a percentage of the measured FLOP peak. */
    public double percentOfPeak(Peak p) {
        return 100 * gflops() / p.gflops();
    }

    /** Achieved bytes/s as a percentage of the measured streaming bandwidth (memory-bound rows; NaN otherwise). */
    public double percentOfBandwidth(Peak p) {
        return memoryBound(p) ? 100 * gbPerS() / p.gbPerS() : Double.NaN;
    }
}
