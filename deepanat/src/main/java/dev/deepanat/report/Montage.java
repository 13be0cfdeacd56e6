package dev.deepanat.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A PNG grid of mid-slices of 3D volumes: one row per view (axial, coronal, sagittal through a centre voxel), one
 * column per named volume (e.g. mean DWI, synthesized T1w, true T1w, |error|), column names on top, black background.
 *
 * <p>Volumes are in NIfTI voxel order (x fastest: index {@code (z*ny + y)*nx + x}) with axes close to RAS (x towards
 * the subject's right, y anterior, z superior); voxels are drawn square (isotropic assumed), each voxel a block of
 * {@link #scale} pixels. Slices are shown in the <b>neurological</b> convention, the subject's right on the image's right:
 * axial (z = cz): x to the right, y (anterior) up; coronal (y = cy): x to the right, z up; sagittal (x = cx): y (anterior)
 * to the right, z up. The first column carries the view's name and the letters of the right and upper edges.
 */
public final class Montage {
    static { PngFiles.forceHeadless(); }

    /** Minimum edge in pixels of the largest slice; a 64³ volume is drawn at 3 pixels per voxel. */
    public static final int MIN_TILE = 192;
    static final int GAP = 2, HEADER = 24; // pixels; package-private for the tests
    private static final String[] VIEW = {"axial", "coronal", "sagittal"};
    private static final String[] RIGHT_UP = {"R", "A", "R", "S", "A", "S"};
    private static final char[] AXIS = {'z', 'y', 'x'};

    private Montage() {}

    /** Grey levels: values ≤ lo are black, ≥ hi white, linear between. Give compared columns the same window. */
    public record Window(double lo, double hi) {
        public Window {
            if (!(Double.isFinite(lo) && Double.isFinite(hi) && hi > lo))
                throw new IllegalArgumentException("grey window needs finite lo < hi, got [" + lo + ", " + hi + "]");
        }

        /**
         * The pLo and pHi percentiles (e.g. 1 and 99) of the finite values inside the mask (voxels with mask > 0; every
         * voxel if mask is null). A constant volume gets [v, v + 1].
         */
        public static Window percentiles(float[] data, float[] mask, double pLo, double pHi) {
            if (!(0 <= pLo && pLo < pHi && pHi <= 100)) throw new IllegalArgumentException("percentiles need 0 ≤ pLo < pHi ≤ 100");
            if (mask != null && mask.length != data.length)
                throw new IllegalArgumentException("mask has " + mask.length + " voxels, the volume " + data.length);
            float[] v = new float[data.length];
            int n = 0;
            for (int i = 0; i < data.length; i++) if ((mask == null || mask[i] > 0) && Float.isFinite(data[i])) v[n++] = data[i];
            if (n == 0) throw new IllegalArgumentException("no finite value inside the mask");
            Arrays.sort(v, 0, n);
            double lo = percentile(v, n, pLo), hi = percentile(v, n, pHi);
            return hi > lo ? new Window(lo, hi) : new Window(lo, lo + 1);
        }

        private static double percentile(float[] sorted, int n, double p) {
            double r = p / 100 * (n - 1);
            int i = (int) Math.floor(r);
            return i + 1 < n ? sorted[i] + (r - i) * (sorted[i + 1] - sorted[i]) : sorted[n - 1];
        }
    }

    /** A named volume of nx·ny·nz values in NIfTI order, shown with its grey window. */
    public record Column(String name, float[] data, Window window) {}

    /** Slices through the centre of the mask's bounding box ({@link #maskCentre}). */
    public static void write(Path png, int nx, int ny, int nz, float[] mask, List<Column> columns) throws IOException {
        write(png, nx, ny, nz, maskCentre(nx, ny, nz, mask), columns);
    }

    /** Slices through voxel centre = {cx, cy, cz}. */
    public static void write(Path png, int nx, int ny, int nz, int[] centre, List<Column> columns) throws IOException {
        PngFiles.write(png, render(nx, ny, nz, centre, columns));
    }

    /** The centre of the bounding box of the voxels with mask > 0; the volume's centre if mask is null or empty. */
    public static int[] maskCentre(int nx, int ny, int nz, float[] mask) {
        int[] lo = {nx, ny, nz}, hi = {-1, -1, -1};
        if (mask != null) {
            if (mask.length != (long) nx * ny * nz) throw new IllegalArgumentException("mask has " + mask.length + " voxels, not " + nx + "×" + ny + "×" + nz);
            for (int z = 0, i = 0; z < nz; z++)
                for (int y = 0; y < ny; y++)
                    for (int x = 0; x < nx; x++, i++) {
                        if (mask[i] <= 0) continue;
                        lo[0] = Math.min(lo[0], x); hi[0] = Math.max(hi[0], x);
                        lo[1] = Math.min(lo[1], y); hi[1] = Math.max(hi[1], y);
                        lo[2] = Math.min(lo[2], z); hi[2] = Math.max(hi[2], z);
                    }
        }
        if (hi[0] < 0) return new int[] {nx / 2, ny / 2, nz / 2};
        return new int[] {(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2};
    }

    /** Pixels per voxel: the smallest integer that makes the largest edge at least {@link #MIN_TILE} pixels. */
    public static int scale(int nx, int ny, int nz) {
        int m = Math.max(nx, Math.max(ny, nz));
        return Math.max(1, (MIN_TILE + m - 1) / m);
    }

    private static BufferedImage render(int nx, int ny, int nz, int[] c, List<Column> columns) {
        if (columns.isEmpty()) throw new IllegalArgumentException("montage: no columns");
        if (c.length != 3 || c[0] < 0 || c[0] >= nx || c[1] < 0 || c[1] >= ny || c[2] < 0 || c[2] >= nz)
            throw new IllegalArgumentException("montage: centre " + Arrays.toString(c) + " outside " + nx + "×" + ny + "×" + nz);
        for (Column col : columns)
            if (col.data().length != (long) nx * ny * nz)
                throw new IllegalArgumentException("montage column '" + col.name() + "': " + col.data().length + " voxels, not " + nx + "×" + ny + "×" + nz);
        int s = scale(nx, ny, nz);
        int[] tileW = {nx * s, nx * s, ny * s}, tileH = {ny * s, nz * s, nz * s};
        int cellW = Math.max(nx, ny) * s;
        int width = GAP + columns.size() * (cellW + GAP), height = HEADER + 3 * GAP + tileH[0] + tileH[1] + tileH[2];
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB); // starts black
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        for (int k = 0; k < columns.size(); k++) {
            Column col = columns.get(k);
            int cellX = GAP + k * (cellW + GAP);
            text(g, col.name(), new Font(Font.SANS_SERIF, Font.BOLD, 14), Color.WHITE, cellX, cellW, HEADER - 7);
            for (int view = 0, top = HEADER; view < 3; top += tileH[view++] + GAP) {
                int left = cellX + (cellW - tileW[view]) / 2;
                drawSlice(px, width, left, top, s, view, nx, ny, nz, c, col);
                if (k == 0) label(g, view, c, left, top, tileW[view], tileH[view]);
            }
        }
        g.dispose();
        return img;
    }

    /** Fills one tile: image column i, image row j (top to bottom) of the view's voxel grid, s×s pixels each. */
    private static void drawSlice(int[] px, int width, int left, int top, int s, int view, int nx, int ny, int nz, int[] c, Column col) {
        int w = view == 2 ? ny : nx, h = view == 0 ? ny : nz;
        double lo = col.window().lo(), gain = 255 / (col.window().hi() - lo);
        float[] d = col.data();
        for (int j = 0; j < h; j++)
            for (int i = 0; i < w; i++) {
                int x = view == 2 ? c[0] : i;
                int y = switch (view) { case 0 -> ny - 1 - j; case 1 -> c[1]; default -> i; };
                int z = view == 0 ? c[2] : nz - 1 - j;
                float v = d[(z * ny + y) * nx + x];
                int grey = Float.isNaN(v) ? 0 : (int) Math.round(Math.min(255, Math.max(0, (v - lo) * gain)));
                int rgb = grey << 16 | grey << 8 | grey;
                for (int r = 0, row = (top + j * s) * width + left + i * s; r < s; r++, row += width) Arrays.fill(px, row, row + s, rgb);
            }
    }

    private static void label(Graphics2D g, int view, int[] c, int left, int top, int w, int h) {
        Font f = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        g.setFont(f);
        g.setColor(Color.YELLOW);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(VIEW[view] + " " + AXIS[view] + "=" + c[2 - view], left + 3, top + fm.getAscent() + 1);
        g.drawString(RIGHT_UP[2 * view], left + w - fm.stringWidth(RIGHT_UP[2 * view]) - 3, top + h / 2 + fm.getAscent() / 2);
        g.drawString(RIGHT_UP[2 * view + 1], left + (w - fm.stringWidth(RIGHT_UP[2 * view + 1])) / 2, top + fm.getAscent() + 1);
    }

    private static void text(Graphics2D g, String s, Font f, Color colour, int cellX, int cellW, int baseline) {
        g.setFont(f);
        g.setColor(colour);
        int w = g.getFontMetrics().stringWidth(s);
        g.setClip(cellX, 0, cellW, HEADER);
        g.drawString(s, cellX + Math.max(0, (cellW - w) / 2), baseline);
        g.setClip(null);
    }
}
