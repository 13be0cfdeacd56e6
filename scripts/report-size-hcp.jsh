// How large the HTML report's page gets for an HCP-size subject (145×174×145, 4 volumes): a phantom of 174³ cropped
// to that grid, its mean DWI, its T1w as the truth, the truth plus Gaussian noise (5% of its range) standing in for a
// synthesized T1w (noise compresses worse than a real prediction: an upper bound) and |error|.
// Run: jshell --class-path deepanat/target/deepanat.jar scripts/report-size-hcp.jsh
import dev.deepanat.phantom.*;
import dev.deepanat.nifti.*;
import dev.deepanat.report.*;

int X = 145, Y = 174, Z = 145, N = 174;
var s = BrainPhantom.generate(new PhantomSpec(1, N, 1, 6, 1, false, true), 0);
int n3 = N * N * N, nt = s.gradients().count();
float[] dwi = new float[X * Y * Z], t1 = new float[X * Y * Z], synth = new float[X * Y * Z], err = new float[X * Y * Z], mask = new float[X * Y * Z];
var rnd = new java.util.SplittableRandom(1);
int x0 = (N - X) / 2, z0 = (N - Z) / 2;
float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
for (float v : s.t1w()) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
for (int z = 0; z < Z; z++) for (int y = 0; y < Y; y++) for (int x = 0; x < X; x++) {
    int i = x + X * (y + Y * z), j = (x + x0) + N * (y + N * (z + z0));
    double m = 0; int k = 0;
    for (int t = 0; t < nt; t++) if (s.gradients().b(t) > 100) { m += s.dwi()[j + t * n3]; k++; }
    dwi[i] = (float) (m / k);
    mask[i] = s.mask()[j] ? 1 : 0;
    t1[i] = s.t1w()[j];
    synth[i] = mask[i] > 0 ? (float) (t1[i] + rnd.nextGaussian() * 0.05 * (hi - lo)) : 0;
    err[i] = Math.abs(synth[i] - t1[i]) * mask[i];
}
var geom = NiftiImage.of(s.geometry(), new int[] {X, Y, Z}, mask);
var page = new ReportPage("HCP-size page").provenance("note", "size check");
var w = Montage.Window.percentiles(t1, mask, 1, 99);
page.volume(ViewerVolume.of("mean DWI", geom, dwi, Montage.Window.percentiles(dwi, mask, 1, 99), "gray"));
page.volume(ViewerVolume.of("synthesized T1w", geom, synth, w, "gray"));
page.volume(ViewerVolume.of("true T1w", geom, t1, w, "gray"));
page.volume(ViewerVolume.of("|error|", geom, err, new Montage.Window(0, (w.hi() - w.lo()) / 2), "hot"));
long bytes = HtmlReport.render(page).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
System.out.printf("HCP-size page (%d×%d×%d, 4 volumes stored as %s): %.1f MB%n", X, Y, Z, ViewerVolume.STORED_AS, bytes / 1e6);
/exit
