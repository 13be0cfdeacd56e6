package dev.deepanat.app;

import dev.deepanat.common.UserError;
import dev.deepanat.model.UNetConfig;
import picocli.CommandLine.Option;

/** The U-Net shape and thread options that {@code bench} and {@code profile} share (a picocli mixin). */
final class UNetShapeOptions {
    @Option(names = "--filters", defaultValue = "16", description = "Base filters (default ${DEFAULT-VALUE}; the paper uses 48).")
    int filters;
    @Option(names = "--block", defaultValue = "32", description = "Edge of the cubic input block (default ${DEFAULT-VALUE}).")
    int block;
    @Option(names = "--channels", defaultValue = "11", description = "Input channels (default ${DEFAULT-VALUE}).")
    int channels;
    @Option(names = "--levels", defaultValue = "5", description = "U-Net levels (default ${DEFAULT-VALUE}).")
    int levels;
    @Option(names = "--threads", description = "Threads of the cpu backend (default: all available processors).")
    Integer threads;

    /** Applies --threads to the cpu backend's pool (read from the {@code deepanat.threads} property). */
    void applyThreads() {
        if (threads == null) return;
        if (threads < 1) throw new UserError("--threads must be at least 1, got " + threads);
        System.setProperty("deepanat.threads", Integer.toString(threads));
    }

    UNetConfig config(boolean batchNorm) {
        try {
            return new UNetConfig(channels, 1, filters, levels, batchNorm);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** --block must fit the network's levels: a positive multiple of its size multiple. */
    void checkBlock(UNetConfig config) {
        if (block < 1 || block % config.sizeMultiple() != 0)
            throw new UserError("--block " + block + " must be a positive multiple of " + config.sizeMultiple() + " for "
                    + config.levels() + " levels");
    }
}
