package dev.deepanat.model;

/**
 * The DeepAnat U-Net's hyper-parameters. The paper's model is 11 inputs, 1 output, 48 base filters, 5 levels
 * (filters double per level: 48, 96, 192, 384, 768), no batch norm.
 */
public record UNetConfig(int inChannels, int outChannels, int baseFilters, int levels, boolean batchNorm) {
    public UNetConfig {
        if (inChannels < 1 || outChannels < 1 || baseFilters < 1 || levels < 1)
            throw new IllegalArgumentException("UNetConfig: channels, filters and levels must be positive");
    }

    public static UNetConfig deepAnat() {
        return new UNetConfig(11, 1, 48, 5, false);
    }

    /** Block edges must be divisible by this (one halving per level below the top). */
    public int sizeMultiple() {
        return 1 << (levels - 1);
    }

    /** Forward-pass FLOPs (2 per multiply-accumulate) of the convolutions on a cube of edge s, batch 1. */
    public double forwardFlops(int s) {
        double flops = 0;
        int prev = inChannels;
        for (int l = 0; l < levels; l++) {
            double vox = Math.pow(s >> l, 3);
            int f = baseFilters << l;
            flops += 2 * vox * 27 * ((double) prev * f + (double) f * f);
            prev = f;
        }
        for (int l = levels - 2; l >= 0; l--) {
            double vox = Math.pow(s >> l, 3);
            int f = baseFilters << l;
            flops += 2 * vox * 27 * ((double) (prev + f) * f + (double) f * f);
            prev = f;
        }
        return flops + 2 * Math.pow(s, 3) * 27 * prev * outChannels;
    }
}
