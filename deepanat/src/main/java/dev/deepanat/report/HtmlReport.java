package dev.deepanat.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.deepanat.common.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link ReportPage} as one HTML file that needs no server and no network: uPlot (from its WebJar) and
 * NiiVue (the bundle under resources, see scripts/refresh-niivue.sh) inlined as scripts, the montage as a data URL,
 * the volumes as base64 .nii.gz inside a JSON block. The tables are plain HTML, readable without scripts.
 */
public final class HtmlReport {
    public static final String NIIVUE_VERSION = "0.69.0", UPLOT_VERSION = "1.6.30";
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/";
    /** Gson escapes <, > and & in strings as \u003c…, so no "</script>" can end the JSON block early. */
    private static final Gson JSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();
    /** The metrics table's columns, in the order the pipeline's docs give them. */
    public static final List<String> METRICS = List.of("ssim", "mae", "psnr", "mse");

    private HtmlReport() {}

    /** Writes the page atomically; returns its size in bytes. */
    public static long write(Path html, ReportPage page) {
        byte[] bytes = render(page).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(html, out -> out.write(bytes));
        return bytes.length;
    }

    public static String render(ReportPage p) {
        String template = resource("/dev/deepanat/report/page/page.html");
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("{{TITLE}}", esc(p.title()));
        parts.put("{{BODY}}", body(p));
        parts.put("{{DATA}}", JSON.toJson(data(p)));
        parts.put("{{UPLOT_CSS}}", resource(UPLOT + "uPlot.min.css"));
        parts.put("{{UPLOT_JS}}", script(resource(UPLOT + "uPlot.iife.min.js")));
        parts.put("{{NIIVUE_JS}}", script(resource("/dev/deepanat/report/niivue/niivue.umd.js")));
        parts.put("{{PAGE_JS}}", script(resource("/dev/deepanat/report/page/page.js")));
        // one pass, so that nothing inserted (a script that happens to contain "{{") is substituted again
        StringBuilder out = new StringBuilder(template.length() + parts.values().stream().mapToInt(String::length).sum());
        int at = 0;
        while (true) {
            int open = template.indexOf("{{", at);
            if (open < 0) break;
            int close = template.indexOf("}}", open) + 2;
            String key = template.substring(open, close);
            out.append(template, at, open).append(parts.getOrDefault(key, key));
            at = close;
        }
        return out.append(template, at, template.length()).toString();
    }

    /** The numbers as the table shows them: PSNR with 2 decimals, the others with 4 significant digits. */
    public static String format(String metric, double v) {
        if (Double.isNaN(v)) return "–";
        if (Double.isInfinite(v)) return v > 0 ? "∞" : "-∞";
        return metric.equals("psnr") ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.4g", v);
    }

    private static String body(ReportPage p) {
        StringBuilder b = new StringBuilder();
        if (!p.provenance.isEmpty()) {
            b.append("<h2>Run</h2>\n<table class=\"prov\" id=\"provenance\">\n");
            p.provenance.forEach((k, v) -> b.append("<tr><td>").append(esc(k)).append("</td><td>").append(esc(v)).append("</td></tr>\n"));
            b.append("</table>\n");
        }
        if (!p.metrics.isEmpty()) {
            b.append("<h2>Metrics (inside the brain mask)</h2>\n<table id=\"metrics\">\n<tr><th></th>");
            for (String m : METRICS) b.append("<th>").append(m.toUpperCase(Locale.ROOT)).append("</th>");
            b.append("</tr>\n");
            for (ReportPage.MetricsRow r : p.metrics) {
                b.append("<tr data-row=\"").append(esc(r.name())).append("\"><td>").append(esc(r.name())).append("</td>");
                for (String m : METRICS) {
                    double v = r.values().get(m) instanceof Number n ? n.doubleValue() : Double.NaN;
                    b.append("<td class=\"num\" data-metric=\"").append(m).append("\">").append(format(m, v)).append("</td>");
                }
                b.append("</tr>\n");
            }
            b.append("</table>\n");
        }
        if (!p.charts.isEmpty()) b.append("<h2>Training curves</h2>\n<div class=\"charts\" id=\"charts\"></div>\n");
        if (!p.volumes.isEmpty()) {
            b.append("<h2>Volumes</h2>\n<p class=\"note\">Click or drag in any view to move the crosshair; all rows follow."
                    + " Rows: ");
            for (int i = 0; i < p.volumes.size(); i++) b.append(i == 0 ? "" : ", ").append(esc(p.volumes.get(i).name()));
            b.append("; columns: axial, coronal, sagittal.</p>\n<div id=\"location\"></div>\n<div id=\"viewer\"></div>\n");
        }
        if (p.montagePng != null || !p.volumes.isEmpty()) {
            b.append("<div id=\"fallback\" hidden><p class=\"why\" id=\"fallback-why\"></p>");
            if (p.montagePng != null)
                b.append("<img alt=\"montage\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(p.montagePng)).append("\">");
            b.append("</div>\n");
        }
        for (String n : p.notes) b.append("<p class=\"note\">").append(esc(n)).append("</p>\n");
        return b.toString();
    }

    private static Map<String, Object> data(ReportPage p) {
        List<Map<String, Object>> vols = new ArrayList<>();
        for (ViewerVolume v : p.volumes)
            vols.add(Map.of("name", v.name(), "colormap", v.colormap(), "calMin", v.calMin(), "calMax", v.calMax(),
                    "niftiGz", Base64.getEncoder().encodeToString(v.niftiGz())));
        List<Map<String, Object>> charts = new ArrayList<>();
        for (ReportPage.Chart c : p.charts) {
            List<Map<String, Object>> series = new ArrayList<>();
            for (ReportPage.Series s : c.series()) series.add(Map.of("name", s.name(), "values", finiteOrNull(s.values())));
            charts.add(Map.of("title", c.title(), "xLabel", c.xLabel(), "yLabel", c.yLabel(), "x", c.x(), "series", series));
        }
        return Map.of("charts", charts, "volumes", vols);
    }

    private static List<Double> finiteOrNull(double[] v) {
        List<Double> out = new ArrayList<>(v.length);
        for (double d : v) out.add(Double.isFinite(d) ? d : null);
        return out;
    }

    /** An inlined script must not contain "</script" (it would end the element); escaping the slash keeps JS meaning. */
    private static String script(String js) {
        return js.replace("</script", "<\\/script");
    }

    private static String resource(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("the jar lacks " + name + " (a broken build)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
