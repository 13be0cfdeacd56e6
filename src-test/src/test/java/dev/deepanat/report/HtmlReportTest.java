package dev.deepanat.report;

import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiDatatype;
import dev.deepanat.nifti.NiftiHeader;
import dev.deepanat.nifti.NiftiImage;
import dev.deepanat.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report page without a browser: scaled volumes, self-containment, escaping, the report command's errors. */
class HtmlReportTest {
    @TempDir Path dir;

    @Test
    void scaledVolumesReadBackWithinOneStep() throws IOException {
        int nx = 6, ny = 7, nz = 8;
        float[] v = new float[nx * ny * nz];
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble(-300, 1700));
        NiftiImage img = NiftiImage.of(NiftiHeader.defaults(6, 7, 8), new int[] {nx, ny, nz}, v);
        for (NiftiDatatype t : List.of(NiftiDatatype.UINT8, NiftiDatatype.INT16)) {
            Path f = dir.resolve(t + ".nii.gz");
            Files.write(f, Nifti.encodeScaled(img, t, 6));
            NiftiImage back = Nifti.read(f);
            assertEquals(t, Nifti.readHeader(f).datatype());
            double min = 1e9, max = -1e9;
            for (float x : v) { min = Math.min(min, x); max = Math.max(max, x); }
            double step = (max - min) / (t == NiftiDatatype.UINT8 ? 255 : 65535);
            for (int i = 0; i < v.length; i++)
                assertEquals(v[i], back.data()[i], step / 2 + 1e-3 * step + Math.ulp(max) * 4, t + " voxel " + i);
        }
    }

    @Test
    void thePageIsOneFileThatLoadsNothing() {
        float[] v = new float[8 * 8 * 8];
        for (int i = 0; i < v.length; i++) v[i] = i % 13;
        NiftiImage g = NiftiImage.of(NiftiHeader.defaults(8, 8, 8), new int[] {8, 8, 8}, v);
        ReportPage p = new ReportPage("t <1>")
                .provenance("command", "deepanat demo --out </script><b>x")
                .metrics("U-Net", Map.of("ssim", 0.91234567, "mae", 60.3149, "psnr", 23.005, "mse", 0.00185512))
                .chart(new ReportPage.Chart("c", "epoch", "loss", new double[] {1, 2}, List.of(new ReportPage.Series("val", new double[] {Double.NaN, 1}))))
                .volume(ViewerVolume.of("v", g, v, new Montage.Window(0, 12), "gray"))
                .montage(new byte[] {1, 2, 3});
        String html = HtmlReport.render(p);
        assertFalse(Pattern.compile("<script[^>]*\\ssrc=|<link[^>]*href=|<img[^>]*src=\"(?!data:)|(?i)url\\(\\s*['\"]?https?:").matcher(html).find(),
                "the page loads something from outside");
        // four script elements (the data, uPlot, NiiVue, the page's own): no inlined text ends one early
        assertEquals(4, count(html, "</script"), "script ends");
        assertTrue(html.contains("deepanat demo --out &lt;/script&gt;&lt;b&gt;x"), "provenance escaped");
        assertTrue(html.contains(">0.9123<") && html.contains(">60.31<") && html.contains(">23.01<") && html.contains(">0.001855<"), "metrics formatted");
        assertTrue(html.contains("\"values\":[null,1.0]"), "NaN goes to the chart as a gap");
        assertTrue(html.contains("data:image/png;base64,AQID"), "the montage is inlined");
    }

    @Test
    void theReportCommandRefusesAFolderThatIsNeitherDemoNorRun() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        String[] r = Cli.run("report", empty.toString());
        assertEquals("2", r[0]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].contains(empty + ": neither a demo folder"), r[2]);
        assertFalse(Files.exists(empty.resolve("report.html")));
    }

    @Test
    void aRunFolderGetsItsCurvesAndABadHistoryOneLine() throws IOException {
        Path run = Files.createDirectory(dir.resolve("run"));
        Files.writeString(run.resolve("history.csv"), "epoch,train_loss,val_loss,seconds,lr\n1,0.5,0.4,1.0,1e-4\n2,0.3,0.35,1.0,1e-4\n");
        String[] r = Cli.run("report", run.toString(), "--out", dir.resolve("page.html").toString());
        assertEquals("0", r[0], r[2]);
        String html = Files.readString(dir.resolve("page.html"));
        assertTrue(html.contains("U-Net: masked L1") && html.contains("0.3500 at epoch 2"), "curves and the best validation loss");

        Files.writeString(run.resolve("history.csv"), "epoch,train_loss,val_loss,seconds,lr\n1,zero,0.4,1.0,1e-4\n");
        r = Cli.run("report", run.toString());
        assertEquals("2", r[0]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].contains("history.csv: line 2, train_loss: 'zero' is not a number"), r[2]);
        assertFalse(Files.exists(run.resolve("report.html")));
    }

    @Test
    void volumesOffTheMasksGridOrAnEmptyMaskAreOneLineNotAnIndexError() {
        int nx = 4, ny = 4, nz = 4;
        float[] m = new float[nx * ny * nz];
        java.util.Arrays.fill(m, 1f);
        NiftiImage mask = NiftiImage.of(NiftiHeader.defaults(4, 4, 4), new int[] {nx, ny, nz}, m);
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.deepanat.common.UserError.class,
                () -> RunReport.volumes(new ReportPage("t"), mask, null, new float[m.length], null, new float[m.length - 1]));
        assertTrue(e.getMessage().startsWith("true T1w: 63 voxels, the mask 64"), e.getMessage());
        NiftiImage empty = NiftiImage.of(NiftiHeader.defaults(4, 4, 4), new int[] {nx, ny, nz}, new float[m.length]);
        e = org.junit.jupiter.api.Assertions.assertThrows(dev.deepanat.common.UserError.class,
                () -> RunReport.volumes(new ReportPage("t"), empty, null, new float[m.length], null, new float[m.length]));
        assertTrue(e.getMessage().contains("mask is empty"), e.getMessage());
    }

    @Test
    void aDemoReportWhoseSubjectIsNotAStringIsOneLine() throws IOException {
        Path demo = Files.createDirectory(dir.resolve("demo"));
        Files.writeString(demo.resolve("report.json"), "{\"model\": {}, \"held_out_subject\": {\"id\": 1}}");
        String[] r = Cli.run("report", demo.toString());
        assertEquals("2", r[0], r[2]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].contains("report.json: a field is not a plain value"), r[2]);
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int at = s.indexOf(part); at >= 0; at = s.indexOf(part, at + 1)) n++;
        return n;
    }
}
