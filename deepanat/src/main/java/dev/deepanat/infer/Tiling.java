package dev.deepanat.infer;

import java.util.Locale;

/**
 * How a whole brain is fed to the network. {@code BLOCKS}: the original's overlapping blocks on the prediction grid,
 * inner faces cropped, overlaps averaged. {@code WHOLE}: the whole zero-padded volume in one forward pass (the U-Net is
 * fully convolutional); far fewer FLOPs on a CPU, at the cost of one large activation set.
 */
public enum Tiling {
    BLOCKS, WHOLE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
