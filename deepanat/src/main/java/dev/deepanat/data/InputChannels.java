package dev.deepanat.data;

import java.util.List;

/**
 * DeepAnat's 11 input volumes, in the order the network sees them, with the file suffixes the original data uses
 * ({@code <sj>_diff_meanb0.nii.gz}, ...). The three eigenvalue channels are fed unnormalized, as in the original.
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

    public static String fileName(String subject, int c) {
        return subject + "_" + SUFFIXES.get(c) + ".nii.gz";
    }
}
