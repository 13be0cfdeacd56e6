package dev.deepanat.data;

import java.util.List;

/**
 * DeepAnat's 11 input volumes, in the order the network sees them, with the file suffixes the original data uses
 * ({@code <sj>_diff_meanb0.nii.gz}, ...). The three eigenvalue channels are fed unnormalized, as in the original,
 * but in µm²/ms rather than the mm²/s that {@code prepare} (like dipy and FSL) writes: values of order 1 like the
 * standardized channels. In mm²/s (order 1e-3) a he_normal-initialized network can barely use them, and they carry
 * most of what predicts the T1w (on the phantom, a linear regression without them has 2.6× the error).
 */
public final class InputChannels {
    private InputChannels() {}

    public static final List<String> SUFFIXES = List.of(
            "diff_meanb0", "diff_meandwi", "diff_dtiL1", "diff_dtiL2", "diff_dtiL3",
            "diff_dtiDwi1", "diff_dtiDwi2", "diff_dtiDwi3", "diff_dtiDwi4", "diff_dtiDwi5", "diff_dtiDwi6");

    public static final int COUNT = SUFFIXES.size();

    /** Whether channel c is standardized inside the mask (false for the eigenvalues dtiL1-3). */
    public static boolean normalized(int c) {
        return !SUFFIXES.get(c).startsWith("diff_dtiL");
    }

    /** The factor that takes an eigenvalue channel from the files' mm²/s to the network's µm²/ms. */
    public static final float EIGENVALUE_SCALE = 1000f;

    /** What the network sees is the file's value times this (after normalization, for the normalized channels). */
    public static float rawScale(int c) {
        return normalized(c) ? 1f : EIGENVALUE_SCALE;
    }

    public static String fileName(String subject, int c) {
        return subject + "_" + SUFFIXES.get(c) + ".nii.gz";
    }
}
