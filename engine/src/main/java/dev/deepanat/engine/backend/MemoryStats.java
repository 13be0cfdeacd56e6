package dev.deepanat.engine.backend;

/**
 * A backend's memory counters, as {@code torch.cuda.memory_stats}: what tests assert on and benchmarks report.
 *
 * @param allocations storages handed out since the counters were reset
 * @param frees       storages freed since then
 * @param liveBytes   bytes of the storages alive now
 * @param peakBytes   the high-water mark of liveBytes since the last {@link Backend#resetPeak()}
 * @param cachedBytes freed memory the backend keeps for reuse (not counted in liveBytes)
 * @param scratchBytes the backends' own scratch: packing buffers, a cuDNN workspace
 * @param transfers   host↔device copies (copyIn and copyOut calls)
 * @param transferBytes their bytes
 * @param synchronizations host waits ({@link Backend#synchronize()} calls)
 */
public record MemoryStats(long allocations, long frees, long liveBytes, long peakBytes, long cachedBytes, long scratchBytes,
                          long transfers, long transferBytes, long synchronizations) {
    public static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
