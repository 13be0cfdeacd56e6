package dev.deepanat.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one HTML report shows, filled in by whoever knows it (the demo, train, predict, evaluate, the report command)
 * and rendered by {@link HtmlReport}: provenance lines, a metrics table, loss curves, viewer volumes and the static
 * montage shown where the browser has no WebGL2. Every part is optional.
 */
public final class ReportPage {
    /** One line of a chart; NaN values are drawn as gaps. */
    public record Series(String name, double[] values) {}

    /** A line chart over a shared x axis (epochs). */
    public record Chart(String title, String xLabel, String yLabel, double[] x, List<Series> series) {}

    /** One row of the metrics table, e.g. "U-Net" with its SSIM, MAE, PSNR, MSE. */
    public record MetricsRow(String name, Map<String, Object> values) {}

    private final String title;
    final Map<String, String> provenance = new LinkedHashMap<>();
    final List<MetricsRow> metrics = new ArrayList<>();
    final List<Chart> charts = new ArrayList<>();
    final List<ViewerVolume> volumes = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    byte[] montagePng;

    public ReportPage(String title) {
        this.title = title;
    }

    public String title() {
        return title;
    }

    public ReportPage provenance(String key, Object value) {
        if (value != null) provenance.put(key, String.valueOf(value));
        return this;
    }

    public ReportPage provenance(Map<String, String> lines) {
        lines.forEach(this::provenance);
        return this;
    }

    /** values: ssim, mae, psnr, mse (and voxels), as {@code Metrics.toMap()} or report.json hold them. */
    public ReportPage metrics(String name, Map<String, Object> values) {
        metrics.add(new MetricsRow(name, values));
        return this;
    }

    public ReportPage chart(Chart c) {
        charts.add(c);
        return this;
    }

    public ReportPage volume(ViewerVolume v) {
        volumes.add(v);
        return this;
    }

    public ReportPage montage(byte[] png) {
        montagePng = png;
        return this;
    }

    public ReportPage note(String line) {
        notes.add(line);
        return this;
    }
}
