package dev.deepanat.profile;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.deepanat.profile.Peaks.Peak;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A profile as a text table (top time sinks first), as CSV, or as one JSON object. */
public final class ProfileFormat {
    public static final List<String> CSV_COLUMNS = List.of("layer", "pass", "kernel", "shape", "calls", "ms", "percent_step",
            "gflop", "mb", "flop_per_byte", "gflops", "percent_peak", "percent_bw", "bound");
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private ProfileFormat() {}

    /**
     * The backend's settings for a title, " (…)", or "" when it has none; with Winograd on, a reminder that its
     * convolutions' rates are effective: they divide the direct convolution's FLOP by the time.
     */
    public static String settingsNote(dev.deepanat.engine.backend.Backend be) {
        String s = be.settings();
        if (s == null || s.isEmpty()) return "";
        if (s.contains("Winograd") && s.endsWith(" on"))
            return " (" + s + ": the GFLOP/s of 3×3×3 convolutions are effective, direct-convolution FLOP / time)";
        return " (" + s + ")";
    }

    /** The header lines and the first {@code top} rows (all when top ≤ 0). */
    public static String text(StepProfile.Result r, Peak p, String title, int top) {
        StringBuilder sb = new StringBuilder();
        sb.append(title).append('\n');
        sb.append(String.format(Locale.ROOT, "peaks (%s, %d threads, measured %s): %.1f GFLOP/s, %.1f GB/s, ridge %.1f FLOP/byte%n",
                p.backend(), p.threads(), p.measuredAt(), p.gflops(), p.gbPerS(), p.ridge()));
        sb.append(String.format(Locale.ROOT, "step %.4f s = kernels %.4f s + outside kernels %.4f s; %.2f GFLOP, %.1f GFLOP/s (%.0f %% of peak)%n",
                r.stepSeconds(), r.kernelSeconds(), r.other(), r.flop() / 1e9, r.flop() / r.stepSeconds() / 1e9,
                100 * r.flop() / r.stepSeconds() / 1e9 / p.gflops()));
        sb.append(String.format(Locale.ROOT, "%-10s %-8s %-26s %-24s %6s %9s %6s %8s %8s %7s %8s %6s %6s%n",
                "layer", "pass", "kernel", "shape", "calls", "ms", "%step", "GFLOP", "MB", "FLOP/B", "GFLOP/s", "%peak", "%bw"));
        List<LayerRow> rows = top > 0 && top < r.rows().size() ? r.rows().subList(0, top) : r.rows();
        for (LayerRow x : rows)
            sb.append(String.format(Locale.ROOT, "%-10s %-8s %-26s %-24s %6s %9.3f %6.1f %8.3f %8.1f %7.2f %8.1f %6.1f %6s%n",
                    x.layer(), x.pass(), x.kernel(), x.shape(), calls(x.callsPerStep()), x.seconds() * 1e3,
                    100 * x.seconds() / r.stepSeconds(), x.flop() / 1e9, x.bytes() / 1e6, x.intensity(), x.gflops(),
                    x.percentOfPeak(p), Double.isNaN(x.percentOfBandwidth(p)) ? "" : String.format(Locale.ROOT, "%.1f", x.percentOfBandwidth(p))));
        if (rows.size() < r.rows().size())
            sb.append(String.format(Locale.ROOT, "... %d more rows (--top 0 shows all; --csv and --json have all)%n", r.rows().size() - rows.size()));
        return sb.toString();
    }

    public static String csv(StepProfile.Result r, Peak p) {
        StringBuilder sb = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
        for (LayerRow x : r.rows())
            sb.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%.6f,%.3f,%.6f,%.6f,%.4f,%.3f,%.3f,%s,%s%n",
                    x.layer(), x.pass(), x.kernel(), quote(x.shape()), calls(x.callsPerStep()), x.seconds() * 1e3,
                    100 * x.seconds() / r.stepSeconds(), x.flop() / 1e9, x.bytes() / 1e6, x.intensity(), x.gflops(),
                    x.percentOfPeak(p), Double.isNaN(x.percentOfBandwidth(p)) ? "" : String.format(Locale.ROOT, "%.3f", x.percentOfBandwidth(p)),
                    x.memoryBound(p) ? "memory" : "compute"));
        return sb.toString();
    }

    public static String json(StepProfile.Result r, Peak p, Map<String, Object> config) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("backend", r.backend());
        o.put("mode", r.mode());
        o.put("config", config);
        o.put("peak", p);
        o.put("step_s", r.stepSeconds());
        o.put("kernel_s", r.kernelSeconds());
        o.put("other_s", r.other());
        o.put("gflop", r.flop() / 1e9);
        List<Map<String, Object>> rows = r.rows().stream().map(x -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", x.layer());
            m.put("pass", x.pass());
            m.put("kernel", x.kernel());
            m.put("shape", x.shape());
            m.put("calls", x.callsPerStep());
            m.put("seconds", x.seconds());
            m.put("flop", x.flop());
            m.put("bytes", x.bytes());
            m.put("flop_per_byte", x.intensity());
            m.put("gflops", x.gflops());
            m.put("percent_peak", x.percentOfPeak(p));
            m.put("percent_bw", Double.isNaN(x.percentOfBandwidth(p)) ? null : x.percentOfBandwidth(p));
            m.put("bound", x.memoryBound(p) ? "memory" : "compute");
            return m;
        }).toList();
        o.put("rows", rows);
        return GSON.toJson(o) + "\n";
    }

    private static String calls(double c) {
        return c == Math.rint(c) ? Long.toString((long) c) : String.format(Locale.ROOT, "%.2f", c);
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
