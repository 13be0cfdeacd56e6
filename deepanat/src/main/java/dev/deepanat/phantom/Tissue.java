package dev.deepanat.phantom;

/** Tissue classes of the phantom; {@link #ordinal()} indexes the fraction arrays. */
public enum Tissue {
    WM, CORTICAL_GM, DEEP_GM, CSF;

    public static final int COUNT = values().length;
}
