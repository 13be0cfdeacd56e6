package dev.deepanat.demo;

import dev.deepanat.infer.Tiling;

import java.nio.file.Path;

/**
 * The demo's settings. {@link #standard} is sized to finish in about 5 minutes on 2 cores, {@link #quick} in under 1
 * (a smoke run: its 4 epochs are too few to beat the linear baseline). The model is smaller than the paper's (48
 * filters, 5 levels, 64³ blocks), which the phantom does not need; lr 1e-3 rather than 1e-4 for the same reason.
 */
public record DemoOptions(Path out, int size, int trainSubjects, int epochs, int filters, int levels, int block,
                          float lr, long seed, Tiling tiling, Gan gan) {
    /**
     * The short GAN fine-tune of {@code demo --gan}: the trained U-Net against a discriminator of {@code dFilters}
     * first filters (the paper's 64 is more than the phantom needs), on {@code blocks} blocks per epoch.
     */
    public record Gan(int epochs, int blocks, int dFilters, int dEpochs) {
        public static Gan standard() { return new Gan(3, 10, 16, 3); }

        public static Gan quick() { return new Gan(1, 4, 8, 1); }
    }

    public static DemoOptions standard(Path out) {
        return new DemoOptions(out, 64, 3, 30, 8, 4, 32, 1e-3f, 1, Tiling.BLOCKS, null);
    }

    public static DemoOptions quick(Path out) {
        return new DemoOptions(out, 48, 3, 4, 8, 3, 24, 2e-3f, 1, Tiling.BLOCKS, null);
    }

    /** The GAN's block: the demo's, down to a multiple of 16 (the discriminator halves its slices four times). */
    public int ganBlock() {
        return block - block % 16;
    }
}
