package dev.deepanat.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Learning curves (e.g. training and validation masked L1 per epoch) as an 800×500 PNG, drawn with XChart. */
public final class LossPlot {
    static { PngFiles.forceHeadless(); }

    public static final int WIDTH = 800, HEIGHT = 500;

    private LossPlot() {}

    /** One named curve; points whose y is NaN or infinite (or, on a log axis, not positive) are left out. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length)
                throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values but " + y.length + " y values");
        }

        /** y[i] plotted at x = i + 1: one value per epoch, epochs counted from 1. */
        public static Series perEpoch(String name, double[] y) {
            double[] x = new double[y.length];
            Arrays.setAll(x, i -> i + 1);
            return new Series(name, x, y);
        }
    }

    /** Draws the series in order (the first gets XChart's first colour) and writes the PNG atomically. */
    public static void write(Path png, String title, String xLabel, String yLabel, boolean logY, List<Series> series)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        XYStyler style = chart.getStyler();
        style.setYAxisLogarithmic(logY);
        style.setYAxisLogarithmicDecadeOnly(false); // label 0.2, 0.3, … too: losses often span less than a decade
        style.setYAxisDecimalPattern("0.####");
        style.setLegendPosition(Styler.LegendPosition.InsideNE);
        style.setChartBackgroundColor(Color.WHITE);
        style.setMarkerSize(5);
        for (Series s : series) {
            int n = 0;
            double[] x = new double[s.x().length], y = new double[s.y().length];
            for (int i = 0; i < x.length; i++) {
                double v = s.y()[i];
                if (!Double.isFinite(v) || !Double.isFinite(s.x()[i]) || logY && v <= 0) continue;
                x[n] = s.x()[i];
                y[n++] = v;
            }
            if (n > 0) // dots while they can be told apart, a plain line beyond
                chart.addSeries(s.name(), Arrays.copyOf(x, n), Arrays.copyOf(y, n)).setMarker(n <= 60 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        PngFiles.write(png, BitmapEncoder.getBufferedImage(chart));
    }
}
