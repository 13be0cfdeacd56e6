package dev.deepanat.diffusion;

import java.nio.file.Path;

/**
 * Everything {@code deepanat prepare} needs; {@code mask} may be null (then a median-Otsu mask is computed), and so
 * may {@code t1w} (a T1w on the DWI's grid, copied into the subject folder for training).
 */
public record PrepareRequest(Path dwi, Path bval, Path bvec, Path mask, String subject, Path outDir,
                             ShellChoice shell, double b0Threshold, FitMethod method, int threads, Path t1w) {}
