package dev.deepanat.diffusion;

import java.nio.file.Path;

/** Everything {@code deepanat prepare} needs; {@code mask} may be null (then a median-Otsu mask is computed). */
public record PrepareRequest(Path dwi, Path bval, Path bvec, Path mask, String subject, Path outDir,
                             ShellChoice shell, double b0Threshold, FitMethod method, int threads) {}
