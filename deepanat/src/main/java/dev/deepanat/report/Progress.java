package dev.deepanat.report;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

import java.io.Console;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of one task with a known number of steps (an epoch's blocks, a volume's patches). On a terminal it is a
 * {@link ProgressBar} with an ETA and an extra message such as "loss 0.1234"; otherwise (a log file, CI, tests) it
 * prints a plain line to System.out at each tenth of the total and a last line on {@link #close}:
 * <pre>
 * epoch 3/30: 120/1200 blocks, loss 0.1234, 12.3 s elapsed, ETA 1m 50s
 * epoch 3/30: 1200/1200 blocks, loss 0.0987, done in 2m 03s
 * </pre>
 * A step costs a counter update and a comparison; a line is formatted only when printed. The system property
 * {@code deepanat.progress=plain} (or {@code bar}) overrides the choice. Not thread-safe: step from one thread.
 */
public abstract sealed class Progress implements AutoCloseable {
    public enum Mode { AUTO, BAR, PLAIN }

    Progress() {}

    /** Counts "blocks"; a bar on a terminal, plain lines otherwise (see {@link Mode#AUTO}). */
    public static Progress start(String task, long total) {
        return start(task, total, "blocks", Mode.AUTO);
    }

    public static Progress start(String task, long total, String unit, Mode mode) {
        if (total < 0) throw new IllegalArgumentException(task + ": negative total " + total);
        if (mode == Mode.AUTO) mode = autoMode();
        if (mode == Mode.BAR) return new Bar(task, total, unit);
        return new Plain(task, total, unit, System.out, System::nanoTime);
    }

    /** deepanat.progress=plain|bar if set; else a bar when the JVM has a terminal (JDK 22+: a Console can exist without one). */
    static Mode autoMode() {
        String p = System.getProperty("deepanat.progress", "").trim().toLowerCase(Locale.ROOT);
        if (p.equals("plain")) return Mode.PLAIN;
        if (p.equals("bar")) return Mode.BAR;
        Console c = System.console();
        return c != null && c.isTerminal() ? Mode.BAR : Mode.PLAIN;
    }

    public abstract void stepBy(long n);

    /** Replaces the extra message (kept by reference; formatted by the caller, shown at the next print). */
    public abstract void setExtra(String extra);

    public void step() { stepBy(1); }

    public void step(String extra) {
        setExtra(extra);
        stepBy(1);
    }

    /** Prints the last line (plain) or finishes the bar. */
    @Override public abstract void close();

    private static final class Bar extends Progress {
        private final ProgressBar bar;

        Bar(String task, long total, String unit) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + unit, 1).build();
        }

        @Override public void stepBy(long n) { bar.stepBy(n); }
        @Override public void setExtra(String extra) { bar.setExtraMessage(extra == null ? "" : extra); }
        @Override public void close() { bar.close(); }
    }

    static final class Plain extends Progress {
        private final String task, unit;
        private final long total, startNanos;
        private final PrintStream out;
        private final LongSupplier clock;
        private long count, nextLine;
        private int tenth; // the next line is printed at count ≥ total·tenth/10
        private String extra;
        private boolean closed;

        Plain(String task, long total, String unit, PrintStream out, LongSupplier clock) {
            this.task = task;
            this.total = total;
            this.unit = unit;
            this.out = out;
            this.clock = clock;
            this.startNanos = clock.getAsLong();
            advance();
        }

        @Override public void stepBy(long n) {
            count += n;
            if (count >= nextLine && count < total) { // at the total, close() prints the last line
                double s = seconds();
                out.println(head() + ", " + duration(s) + " elapsed, ETA " + duration(s * (total - count) / count));
                advance();
            }
        }

        @Override public void setExtra(String extra) { this.extra = extra; }

        @Override public void close() {
            if (closed) return;
            closed = true;
            out.println(head() + ", done in " + duration(seconds()));
        }

        /** Moves nextLine to the first tenth (1..9) of the total above count; the tenth tenth is close()'s line. */
        private void advance() {
            do tenth++; while (tenth < 10 && total * tenth / 10 <= count);
            nextLine = tenth < 10 ? total * tenth / 10 : Long.MAX_VALUE;
        }

        private double seconds() { return (clock.getAsLong() - startNanos) / 1e9; }

        private String head() {
            String h = task + ": " + count + "/" + total + " " + unit;
            return extra == null || extra.isEmpty() ? h : h + ", " + extra;
        }

        /** "12.3 s" under a minute, "1m 05s" under an hour, "2h 07m" beyond. */
        static String duration(double s) {
            if (!(s >= 0) || Double.isInfinite(s)) return "?";
            if (s < 59.95) return String.format(Locale.ROOT, "%.1f s", s);
            long r = Math.round(s);
            if (r < 3600) return (r / 60) + "m " + String.format(Locale.ROOT, "%02ds", r % 60);
            long m = Math.round(s / 60);
            return (m / 60) + "h " + String.format(Locale.ROOT, "%02dm", m % 60);
        }
    }
}
