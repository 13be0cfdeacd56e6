package dev.deepanat.diffusion;

import dev.deepanat.common.UserError;

import java.util.Arrays;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Collectors;

/**
 * Indices of the b=0 volumes and of the DWIs of the chosen shell. The fit uses both lists
 * ({@link #fitIndices()}); meanb0 and meandwi average each list.
 */
public record VolumeSelection(int[] b0Indices, int[] dwiIndices) {

    public int[] fitIndices() {
        int[] all = new int[b0Indices.length + dwiIndices.length];
        System.arraycopy(b0Indices, 0, all, 0, b0Indices.length);
        System.arraycopy(dwiIndices, 0, all, b0Indices.length, dwiIndices.length);
        Arrays.sort(all);
        return all;
    }

    /** @param bvalFile named in error messages */
    public static VolumeSelection select(GradientTable g, double b0Threshold, ShellChoice shell, String bvalFile) {
        int n = g.count();
        int[] b0 = IntStream.range(0, n).filter(i -> g.b(i) <= b0Threshold).toArray();
        int[] dwi = IntStream.range(0, n)
                .filter(i -> g.b(i) > b0Threshold && (shell.all() || Math.abs(g.b(i) - shell.b()) <= ShellChoice.TOLERANCE))
                .toArray();
        if (b0.length == 0)
            throw new UserError(bvalFile + ": no b=0 volume (b <= " + b0Threshold + "); shells present: " + shells(g, b0Threshold));
        if (dwi.length == 0)
            throw new UserError(bvalFile + ": no DWI in shell " + shell + "; shells present: " + shells(g, b0Threshold));
        if (dwi.length < 6)
            throw new UserError(bvalFile + ": only " + dwi.length + " DWIs in shell " + shell + "; a tensor needs at least 6");
        return new VolumeSelection(b0, dwi);
    }

    /** The distinct shells, b-values rounded to the nearest 100 (scanners report 995, 1005 ...). */
    public static String shells(GradientTable g, double b0Threshold) {
        TreeSet<Long> s = new TreeSet<>();
        for (double b : g.bvals()) s.add(b <= b0Threshold ? 0L : Math.round(b / 100) * 100);
        return s.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
