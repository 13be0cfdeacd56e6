package dev.deepanat.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepanat.testing.Cli;
import dev.deepanat.testing.HeadlessChromium;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The demo's report.html opened from disk in Debian's headless Chromium (software WebGL2): no console errors, the
 * curves and the viewer drawn, the metrics table equal to report.json, and a click moving every viewer's crosshair
 * and the slice shown. The screenshot is kept as target/report-screenshot.png. Skipped where there is no chromium.
 */
@Tag("browser")
class ReportBrowserTest {
    static final int WIDTH = 1400, HEIGHT = 2400;
    /** Grey-level variance (0..255²) below which a canvas counts as blank; a drawn one has hundreds. */
    static final double BLANK = 20;
    @TempDir static Path root;
    static Path demo;

    /** The tiny demo's folder, made once for both tests; each test is skipped, with its reason, where there is no chromium. */
    static synchronized Path demo() {
        assumeTrue(HeadlessChromium.find() != null, "no chromium at /usr/bin/chromium (or $CHROMIUM): the browser test is skipped");
        if (demo != null) return demo;
        demo = root.resolve("demo");
        String[] r = Cli.run("demo", "--out", demo.toString(), "--size", "24", "--epochs", "2", "--filters", "2", "--levels", "2",
                "--block", "16", "--quick", "--gan");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("demo: open the report in a browser"), r[1]);
        return demo;
    }

    @Test
    void theDemosReportWorksInHeadlessChromium() throws Exception {
        Path html = demo().resolve("report.html");
        assertTrue(Files.size(html) < 15_000_000, "the demo's page is " + Files.size(html) + " bytes");
        try (HeadlessChromium b = new HeadlessChromium(HeadlessChromium.find(), Files.createDirectory(root.resolve("profile")), WIDTH, HEIGHT)) {
            b.navigate(html.toUri());
            b.waitFor("document.body && document.body.dataset.viewer !== 'loading'", Duration.ofSeconds(90));
            assertEquals("ready", b.eval("document.body.dataset.viewer").getAsString(),
                    "the viewer fell back: " + b.eval("document.getElementById('fallback-why').textContent"));
            b.eval("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"); // let every canvas draw
            Thread.sleep(500);
            byte[] before = b.screenshotPng();
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target/report-screenshot.png"), before);
            BufferedImage shot = ImageIO.read(new ByteArrayInputStream(before));

            // the curves: one uPlot canvas per chart (U-Net, GAN losses, D accuracy), none blank
            JsonArray charts = b.eval(rects("#charts canvas")).getAsJsonArray();
            assertEquals(3, charts.size(), "charts drawn");
            for (JsonElement c : charts) assertTrue(variance(shot, c.getAsJsonObject()) > BLANK, "blank chart at " + c);
            // the viewer: mean DWI, U-Net, GAN, true T1w, |error|
            JsonArray views = b.eval(rects("#viewer canvas")).getAsJsonArray();
            assertEquals(5, views.size(), "viewer canvases");
            for (JsonElement c : views) assertTrue(variance(shot, c.getAsJsonObject()) > BLANK, "blank viewer canvas at " + c);

            // the metrics table shows report.json's numbers
            JsonObject report = JsonParser.parseString(Files.readString(demo.resolve("report.json"))).getAsJsonObject();
            JsonObject table = b.eval("Object.fromEntries([...document.querySelectorAll('#metrics tr[data-row]')].map(r => [r.dataset.row,"
                    + " Object.fromEntries([...r.querySelectorAll('td[data-metric]')].map(td => [td.dataset.metric, td.textContent]))]))").getAsJsonObject();
            Map<String, String> rows = Map.of("model", "U-Net", "gan", "hybrid GAN", "baseline", "linear baseline");
            assertEquals(3, table.size(), table.toString());
            rows.forEach((key, row) -> {
                for (String m : HtmlReport.METRICS)
                    assertEquals(HtmlReport.format(m, report.getAsJsonObject(key).get(m).getAsDouble()),
                            table.getAsJsonObject(row).get(m).getAsString(), row + " " + m);
            });

            // a click in the first viewer's coronal view, high up, moves the axial slice of every viewer
            String crosshairs = "deepanatReport.viewers.map(nv => Array.from(nv.scene.crosshairPos))";
            JsonArray pos0 = b.eval(crosshairs).getAsJsonArray();
            JsonObject target = b.eval("(() => { const nv = deepanatReport.viewers[0], r = nv.canvas.getBoundingClientRect(),"
                    + " k = r.width / nv.canvas.width, s = nv.screenSlices.find(s => s.axCorSag === 1), t = s.leftTopWidthHeight;"
                    + " return {x: r.left + (t[0] + t[2] * 0.4) * k, y: r.top + (t[1] + t[3] * 0.25) * k}; })()").getAsJsonObject();
            b.click(target.get("x").getAsDouble(), target.get("y").getAsDouble());
            b.eval("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
            Thread.sleep(500);
            JsonArray pos1 = b.eval(crosshairs).getAsJsonArray();
            for (int i = 0; i < pos1.size(); i++) {
                assertNotEquals(pos0.get(i).getAsJsonArray().get(2).getAsDouble(), pos1.get(i).getAsJsonArray().get(2).getAsDouble(), 1e-6,
                        "viewer " + i + ": the crosshair's z did not move: " + pos0 + " -> " + pos1);
                assertEquals(pos1.get(0).toString(), pos1.get(i).toString(), "viewers do not share the crosshair");
            }
            BufferedImage after = ImageIO.read(new ByteArrayInputStream(b.screenshotPng()));
            JsonObject axial = b.eval("(() => { const nv = deepanatReport.viewers[1], r = nv.canvas.getBoundingClientRect(),"
                    + " k = r.width / nv.canvas.width, t = nv.screenSlices.find(s => s.axCorSag === 0).leftTopWidthHeight;"
                    + " return {x: r.left + t[0] * k + window.scrollX, y: r.top + t[1] * k + window.scrollY, w: t[2] * k, h: t[3] * k}; })()").getAsJsonObject();
            assertTrue(meanAbsDifference(shot, after, axial) > 1, "the synthesized T1w's axial view did not change after the click");
            assertEquals(java.util.List.of(), b.errors(), "console errors");
        }
    }

    @Test
    void withoutWebGlThePageShowsTheMontageAndSaysWhy() throws Exception {
        Path html = demo().resolve("report.html");
        try (HeadlessChromium b = new HeadlessChromium(HeadlessChromium.find(), Files.createDirectory(root.resolve("profile-nogl")), WIDTH, HEIGHT,
                "--disable-3d-apis")) {
            b.navigate(html.toUri());
            b.waitFor("document.body && document.body.dataset.viewer !== 'loading'", Duration.ofSeconds(60));
            assertEquals("fallback", b.eval("document.body.dataset.viewer").getAsString());
            assertTrue(b.eval("document.getElementById('fallback-why').textContent").getAsString().contains("no WebGL2"));
            assertTrue(b.eval("(() => { const i = document.querySelector('#fallback img'); return i.complete && i.naturalWidth > 100"
                    + " && !document.getElementById('fallback').hidden; })()").getAsBoolean(), "the montage is shown");
            assertEquals(3, b.eval("document.querySelectorAll('#charts canvas').length").getAsInt(), "the curves need no WebGL");
            assertEquals(java.util.List.of(), b.errors(), "console errors");
        }
    }

    private static String rects(String selector) {
        return "[...document.querySelectorAll('" + selector + "')].map(c => { const r = c.getBoundingClientRect();"
                + " return {x: r.left + window.scrollX, y: r.top + window.scrollY, w: r.width, h: r.height}; })";
    }

    private static double variance(BufferedImage img, JsonObject r) {
        double s = 0, s2 = 0;
        long n = 0;
        for (int[] p : pixels(img, r)) {
            double g = grey(img.getRGB(p[0], p[1]));
            s += g;
            s2 += g * g;
            n++;
        }
        assertTrue(n > 100, "region " + r + " is off the screenshot");
        double mean = s / n;
        return s2 / n - mean * mean;
    }

    private static double meanAbsDifference(BufferedImage a, BufferedImage b, JsonObject r) {
        double d = 0;
        long n = 0;
        for (int[] p : pixels(a, r)) {
            d += Math.abs(grey(a.getRGB(p[0], p[1])) - grey(b.getRGB(p[0], p[1])));
            n++;
        }
        return d / Math.max(1, n);
    }

    private static java.util.List<int[]> pixels(BufferedImage img, JsonObject r) {
        int x0 = Math.max(0, (int) Math.ceil(r.get("x").getAsDouble())), y0 = Math.max(0, (int) Math.ceil(r.get("y").getAsDouble()));
        int x1 = Math.min(img.getWidth(), (int) (r.get("x").getAsDouble() + r.get("w").getAsDouble()));
        int y1 = Math.min(img.getHeight(), (int) (r.get("y").getAsDouble() + r.get("h").getAsDouble()));
        java.util.List<int[]> out = new java.util.ArrayList<>();
        for (int y = y0; y < y1; y++) for (int x = x0; x < x1; x++) out.add(new int[] {x, y});
        return out;
    }

    private static double grey(int rgb) {
        return 0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255);
    }
}
