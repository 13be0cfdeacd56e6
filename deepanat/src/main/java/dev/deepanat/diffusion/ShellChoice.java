package dev.deepanat.diffusion;

import dev.deepanat.common.UserError;

/**
 * Which DWIs enter the tensor fit: one shell ({@code b} ± {@link #TOLERANCE}) or every volume.
 * The synthesized DWIs use {@link #synthesisB()}: the shell's b, or 1000 s/mm² for "all" (DeepAnat's b=1000 inputs).
 */
public record ShellChoice(double b, boolean all) {
    public static final double TOLERANCE = 100;
    public static final double DEFAULT_B = 1000;

    public static ShellChoice parse(String text) {
        if (text == null || text.isBlank()) return new ShellChoice(DEFAULT_B, false);
        if (text.strip().equalsIgnoreCase("all")) return new ShellChoice(DEFAULT_B, true);
        try {
            double b = Double.parseDouble(text.strip());
            if (!(b > 0) || !Double.isFinite(b)) throw new NumberFormatException();
            return new ShellChoice(b, false);
        } catch (NumberFormatException e) {
            throw new UserError("--shell: '" + text + "' is neither a positive b-value nor 'all'");
        }
    }

    public double synthesisB() { return b; }

    @Override public String toString() { return all ? "all" : "b=" + (long) b + "±" + (long) TOLERANCE; }
}
