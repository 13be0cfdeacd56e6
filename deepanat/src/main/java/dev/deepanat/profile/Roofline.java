package dev.deepanat.profile;

import dev.deepanat.profile.Peaks.Peak;
import dev.deepanat.report.PngFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A roofline (log-log, 900×600 PNG): one point per profile row that does arithmetic, at its FLOP/byte and GFLOP/s,
 * coloured by pass, under the two measured roofs (bandwidth · intensity, and the FLOP peak).
 */
public final class Roofline {
    static { PngFiles.forceHeadless(); }

    private Roofline() {}

    public static void write(Path png, String title, StepProfile.Result r, Peak p) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(600).title(title)
                .xAxisTitle("arithmetic intensity (FLOP/byte)").yAxisTitle("GFLOP/s").build();
        var style = chart.getStyler();
        style.setXAxisLogarithmic(true);
        style.setYAxisLogarithmic(true);
        style.setChartBackgroundColor(Color.WHITE);
        style.setLegendPosition(Styler.LegendPosition.InsideSE);
        style.setMarkerSize(7);
        double lo = 0.01, hi = 1000;
        for (LayerRow x : r.rows()) if (x.flop() > 0 && x.bytes() > 0) {
            lo = Math.min(lo, x.intensity() / 2);
            hi = Math.max(hi, x.intensity() * 2);
        }
        XYSeries roof = chart.addSeries(String.format(java.util.Locale.ROOT, "roof: %.0f GB/s, %.0f GFLOP/s", p.gbPerS(), p.gflops()),
                new double[] {lo, p.ridge(), hi}, new double[] {lo * p.gbPerS(), p.gflops(), p.gflops()});
        roof.setMarker(SeriesMarkers.NONE);
        roof.setLineColor(Color.DARK_GRAY);
        Map<String, List<double[]>> byPass = new LinkedHashMap<>();
        for (LayerRow x : r.rows())
            if (x.flop() > 0 && x.bytes() > 0 && x.seconds() > 0)
                byPass.computeIfAbsent(x.pass(), k -> new ArrayList<>()).add(new double[] {x.intensity(), x.gflops()});
        for (var e : byPass.entrySet()) {
            double[] xs = e.getValue().stream().mapToDouble(v -> v[0]).toArray();
            double[] ys = e.getValue().stream().mapToDouble(v -> Math.max(v[1], 1e-3)).toArray();
            XYSeries s = chart.addSeries(e.getKey() + " (" + xs.length + " rows)", xs, ys);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        PngFiles.write(png, BitmapEncoder.getBufferedImage(chart));
    }
}
