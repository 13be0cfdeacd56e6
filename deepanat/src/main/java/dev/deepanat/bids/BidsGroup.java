package dev.deepanat.bids;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepanat.common.AtomicFiles;
import dev.deepanat.common.UserError;
import dev.deepanat.data.Grid;
import dev.deepanat.eval.Metrics;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiImage;
import dev.deepanat.nifti.Resample;
import dev.deepanat.report.Montage;
import dev.deepanat.report.PngFiles;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The BIDS App's group level: {@code group/qc.tsv} with one row per synthesized T1w in the derivative dataset
 * (mask volume, mean FA and MD in the mask, run times and warnings from the T1w's sidecar, and SSIM/MAE/PSNR against
 * the raw dataset's T1w where the subject has one), and {@code group/index.html}, one row per run with an axial
 * mid-slice of the synthesized T1w inlined as a PNG. A raw T1w not on the DWI's grid is put on it through the two
 * affines (trilinear; no registration), which the row's warnings say.
 */
public final class BidsGroup {
    static { PngFiles.forceHeadless(); }

    public record Summary(int rows, int problems, Path tsv, Path html) {}

    static final List<String> COLUMNS = List.of("participant_id", "session_id", "t1w_file", "mask_voxels", "mask_volume_ml",
            "mean_fa", "mean_md", "run_seconds", "prepare_seconds", "forward_seconds", "ssim", "mae", "psnr", "warnings");

    private BidsGroup() {}

    public static Summary run(Path bidsDir, Path outDir, List<String> labels, BidsParticipant.Reporter rep) {
        if (!Files.isDirectory(bidsDir)) throw new UserError(bidsDir + ": no such BIDS dataset folder");
        Path out = outDir.toAbsolutePath().normalize();
        Path dd = out.resolve("dataset_description.json");
        if (!Files.isRegularFile(dd)) throw new UserError(dd + ": missing; run the participant level into " + outDir + " first");
        Path raw = bidsDir.toAbsolutePath().normalize();
        List<String> wanted = labels.stream().map(s -> s.startsWith("sub-") ? s.substring(4) : s).toList();
        List<Path> t1s;
        try (Stream<Path> s = Files.walk(out)) {
            t1s = s.filter(p -> p.getFileName().toString().endsWith("_space-dwi_desc-synth_T1w.nii.gz"))
                    .filter(p -> out.relativize(p).getNameCount() >= 3 && out.relativize(p).getName(0).toString().startsWith("sub-"))
                    .filter(p -> !out.relativize(p).toString().contains("/."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UserError(out + ": cannot list (" + e.getMessage() + ")", e);
        }
        List<String> rows = new ArrayList<>();
        StringBuilder html = new StringBuilder();
        int problems = 0;
        for (Path t1 : t1s) {
            BidsName n = BidsName.parse(t1.getFileName().toString());
            if (n == null || (!wanted.isEmpty() && !wanted.contains(n.get("sub")))) continue;
            try {
                Row r = row(out, raw, t1, n);
                rows.add(r.tsv);
                html.append(r.html);
            } catch (UserError | IllegalArgumentException e) {
                rep.problem(out.relativize(t1) + ": " + e.getMessage());
                problems++;
            } catch (RuntimeException e) { // a bug, not the data: still one line, and the other rows still come
                rep.problem(out.relativize(t1) + ": internal error " + e);
                problems++;
            }
        }
        for (String w : wanted)
            if (t1s.stream().map(p -> BidsName.parse(p.getFileName().toString())).noneMatch(n -> n != null && w.equals(n.get("sub")))) {
                rep.problem("sub-" + w + ": no synthesized T1w in " + outDir);
                problems++;
            }
        Path tsv = out.resolve("group/qc.tsv"), page = out.resolve("group/index.html");
        AtomicFiles.writeString(tsv, String.join("\t", COLUMNS) + "\n" + String.join("", rows));
        AtomicFiles.writeString(page, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>DeepAnat QC</title>\n"
                + "<style>body{font-family:sans-serif}td,th{padding:4px 8px;border-bottom:1px solid #ccc;text-align:right}"
                + "img{image-rendering:pixelated}</style></head><body>\n<h1>DeepAnat-J: synthesized T1w, " + rows.size()
                + " run(s)</h1>\n<table>\n<tr><th>run</th><th>axial mid-slice</th><th>mask mL</th><th>mean FA</th><th>mean MD</th>"
                + "<th>run s</th><th>SSIM</th><th>MAE</th><th>PSNR</th><th>warnings</th></tr>\n" + html + "</table>\n</body></html>\n");
        return new Summary(rows.size(), problems, tsv, page);
    }

    private record Row(String tsv, String html) {}

    private static Row row(Path out, Path raw, Path t1Path, BidsName n) {
        String rel = out.relativize(t1Path).toString().replace('\\', '/');
        Path sidecarPath = out.resolve(rel.replaceFirst("\\.nii\\.gz$", ".json"));
        JsonObject side;
        try {
            side = JsonParser.parseString(Files.readString(sidecarPath)).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new UserError(sidecarPath + ": missing or unreadable sidecar; rerun the participant level with --skip-existing");
        }
        String maskRel = null;
        List<String> warnings = new ArrayList<>();
        JsonObject timing;
        try { // a hand-edited sidecar: a missing or mistyped field is the sidecar's problem, one line
            for (JsonElement s : side.getAsJsonArray("Sources"))
                if (s.getAsString().startsWith("bids::") && s.getAsString().endsWith("_desc-brain_mask.nii.gz"))
                    maskRel = s.getAsString().substring("bids::".length());
            if (side.has("DeepAnatWarnings")) side.getAsJsonArray("DeepAnatWarnings").forEach(w -> warnings.add(w.getAsString()));
            timing = side.has("DeepAnatTiming") ? side.getAsJsonObject("DeepAnatTiming") : new JsonObject();
            for (String k : List.of("RunSeconds", "PrepareSeconds", "ForwardSeconds")) num(timing, k);
        } catch (RuntimeException e) {
            throw new UserError(sidecarPath + ": malformed sidecar (" + e + "); rerun the participant level for this run");
        }
        if (maskRel == null) throw new UserError(sidecarPath + ": Sources names no brain mask");
        Path maskPath = out.resolve(maskRel), faPath = out.resolve(maskRel.replace("_desc-brain_mask", "_desc-dti_FA"));
        Path mdPath = out.resolve(maskRel.replace("_desc-brain_mask", "_desc-dti_ADC"));
        NiftiImage t1 = Nifti.read(t1Path), maskImg = Nifti.read(maskPath), faImg = Nifti.read(faPath), mdImg = Nifti.read(mdPath);
        Grid g = Grid.of(maskImg);
        for (var e : java.util.Map.of(t1Path, t1, faPath, faImg, mdPath, mdImg).entrySet()) {
            Grid o = Grid.of(e.getValue());
            if (e.getValue().data().length != maskImg.data().length || o.nx() != g.nx() || o.ny() != g.ny() || o.nz() != g.nz())
                throw new UserError(e.getKey() + ": " + o.nx() + "×" + o.ny() + "×" + o.nz() + " (" + e.getValue().data().length
                        + " values), its brain mask " + maskPath.getFileName() + " " + g.nx() + "×" + g.ny() + "×" + g.nz());
        }
        float[] mask = maskImg.data(), fa = faImg.data(), md = mdImg.data();
        long vox = 0;
        double sfa = 0, smd = 0;
        for (int i = 0; i < mask.length; i++) if (mask[i] > 0.5f) { vox++; sfa += fa[i]; smd += md[i]; }
        double[] pd = maskImg.header().pixdim();
        double ml = vox * Math.abs(pd[1] * pd[2] * pd[3]) / 1000;
        String ssim = "n/a", mae = "n/a", psnr = "n/a";
        Path refT1 = rawT1w(raw.resolve(rel).getParent().getParent().resolve("anat"));
        if (refT1 != null) {
            NiftiImage ref = Nifti.read(refT1);
            if (!Grid.of(ref).sameAs(g)) {
                ref = Resample.resample(ref, maskImg.header(), 1);
                warnings.add("raw T1w resampled onto the DWI grid through the affines (no registration)");
            }
            try {
                Metrics m = Metrics.of(t1.data(), ref.data(), mask, g.nx(), g.ny(), g.nz());
                ssim = fmt(m.ssim()); mae = fmt(m.mae()); psnr = fmt(m.psnr());
            } catch (UserError | IllegalArgumentException e) {
                warnings.add("no scores: " + e.getMessage());
            }
        }
        String sub = "sub-" + n.get("sub"), ses = n.get("ses") == null ? "n/a" : "ses-" + n.get("ses");
        String w = warnings.isEmpty() ? "n/a" : String.join("; ", warnings).replace('\t', ' ');
        String tsv = String.join("\t", sub, ses, rel, Long.toString(vox), fmt(ml), fmt(vox == 0 ? 0 : sfa / vox),
                String.format(Locale.ROOT, "%.6g", vox == 0 ? 0 : smd / vox), num(timing, "RunSeconds"), num(timing, "PrepareSeconds"),
                num(timing, "ForwardSeconds"), ssim, mae, psnr, w) + "\n";
        String html = "<tr><td style=\"text-align:left\">" + esc(n.prefix()) + "</td><td><img alt=\"axial mid-slice\" src=\"data:image/png;base64,"
                + thumbnail(t1.data(), mask, g) + "\"></td><td>" + fmt(ml) + "</td><td>" + fmt(vox == 0 ? 0 : sfa / vox) + "</td><td>"
                + String.format(Locale.ROOT, "%.3g", vox == 0 ? 0 : smd / vox) + "</td><td>" + num(timing, "RunSeconds") + "</td><td>"
                + ssim + "</td><td>" + mae + "</td><td>" + psnr + "</td><td style=\"text-align:left\">" + esc(w) + "</td></tr>\n";
        return new Row(tsv, html);
    }

    /** The axial slice through the mask's centre, 1st-99th percentile window, anterior up, 2 pixels per voxel at least. */
    static String thumbnail(float[] t1, float[] mask, Grid g) {
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        int z = Montage.maskCentre(nx, ny, nz, mask)[2];
        Montage.Window w = Montage.Window.percentiles(t1, mask, 1, 99);
        int s = Math.max(2, 128 / Math.max(nx, ny));
        BufferedImage img = new BufferedImage(nx * s, ny * s, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++) {
                double v = (t1[(z * ny + y) * nx + x] - w.lo()) / (w.hi() - w.lo());
                int grey = (int) Math.round(255 * Math.max(0, Math.min(1, v)));
                int rgb = grey << 16 | grey << 8 | grey;
                for (int dy = 0; dy < s; dy++) for (int dx = 0; dx < s; dx++) img.setRGB(x * s + dx, (ny - 1 - y) * s + dy, rgb);
            }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            ImageIO.setUseCache(false);
            ImageIO.write(img, "png", b);
        } catch (IOException e) {
            throw new IllegalStateException(e); // in memory
        }
        return Base64.getEncoder().encodeToString(b.toByteArray());
    }

    private static Path rawT1w(Path anat) {
        if (!Files.isDirectory(anat)) return null;
        try (Stream<Path> s = Files.list(anat)) {
            return s.filter(p -> p.getFileName().toString().matches(".*_T1w\\.nii(\\.gz)?")).sorted().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static String num(JsonObject o, String k) { return o.has(k) ? fmt(o.get(k).getAsDouble()) : "n/a"; }

    private static String fmt(double v) { return String.format(Locale.ROOT, "%.4f", v); }

    private static String esc(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"); }
}
