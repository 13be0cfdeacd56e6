package dev.deepanat.phantom;

import dev.deepanat.common.AtomicFiles;
import dev.deepanat.diffusion.GradientFiles;
import dev.deepanat.diffusion.GradientTable;
import dev.deepanat.diffusion.OutputSet;
import dev.deepanat.nifti.NiftiImage;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The phantom in the layouts real data comes in, so that {@code deepanat bids} and {@code deepanat import-hcp} are
 * tested with no download.
 * <ul>
 * <li>BIDS: a raw dataset ({@code dataset_description.json}, README, participants.tsv/json) with
 * {@code sub-XX/dwi/sub-XX_dwi.{nii.gz,bval,bvec,json}}; subject 1 also has {@code anat/sub-01_T1w.nii.gz} (on the
 * DWI's grid), subject 2 lies in {@code ses-01} with {@code acq-b1000_dir-AP_run-1} entities; the true masks go to
 * {@code derivatives/masks} (a derivative dataset {@code --mask-dir} reads).</li>
 * <li>HCP: {@code <id>/T1w/Diffusion/{data.nii.gz,bvals,bvecs,nodif_brain_mask.nii.gz}} and
 * {@code <id>/T1w/T1w_acpc_dc_restore_1.25.nii.gz}, ids 100001, 100002, ...; the b-values in {@code bvals} made
 * inexact as HCP's are (b=0 written as 5, the shells jittered by up to ±10, seeded).</li>
 * </ul>
 */
public final class PhantomLayouts {
    private PhantomLayouts() {}

    public static String hcpId(int index) { return Integer.toString(100001 + index); }

    /** The BIDS entities of subject {@code index}'s DWI (without suffix), and its session folder (null: none). */
    public static String bidsPrefix(int index) {
        String sub = PhantomSpec.subjectId(index);
        return index == 1 ? sub + "_ses-01_acq-b1000_dir-AP_run-1" : sub;
    }

    public static void writeBidsDataset(Path out, int subjects) {
        AtomicFiles.writeString(out.resolve("dataset_description.json"), """
                {
                  "Name": "DeepAnat-J phantom",
                  "BIDSVersion": "1.9.0",
                  "DatasetType": "raw",
                  "License": "CC0",
                  "Authors": ["DeepAnat-J"]
                }
                """);
        AtomicFiles.writeString(out.resolve("README"), "Synthetic brains written by 'deepanat phantom --layout bids': DWI with "
                + "b-values and vectors, one T1w (sub-01), one subject in a session. Masks under derivatives/masks.\n");
        StringBuilder p = new StringBuilder("participant_id\tgroup\n");
        for (int i = 0; i < subjects; i++) p.append(PhantomSpec.subjectId(i)).append("\tphantom\n");
        AtomicFiles.writeString(out.resolve("participants.tsv"), p.toString());
        AtomicFiles.writeString(out.resolve("participants.json"), """
                {
                  "group": {"Description": "where the subject comes from"}
                }
                """);
        AtomicFiles.writeString(out.resolve("derivatives/masks/dataset_description.json"), """
                {
                  "Name": "DeepAnat-J phantom brain masks",
                  "BIDSVersion": "1.9.0",
                  "DatasetType": "derivative",
                  "GeneratedBy": [{"Name": "DeepAnat-J phantom"}]
                }
                """);
    }

    /** One subject of the BIDS layout (call {@link #writeBidsDataset} too). */
    public static void writeBids(PhantomSubject s, int index, Path out) {
        int n = s.n();
        String sub = s.id(), prefix = bidsPrefix(index);
        Path dir = index == 1 ? out.resolve(sub).resolve("ses-01") : out.resolve(sub);
        new OutputSet()
                .add(prefix + "_dwi.nii.gz", NiftiImage.of(s.geometry(), new int[] {n, n, n, s.gradients().count()}, s.dwi()))
                .addText(prefix + "_dwi.bval", GradientFiles.bvalText(s.gradients()))
                .addText(prefix + "_dwi.bvec", GradientFiles.bvecText(s.gradients()))
                .addText(prefix + "_dwi.json", index == 1
                        ? "{\n  \"PhaseEncodingDirection\": \"j-\",\n  \"TotalReadoutTime\": 0.05\n}\n" : "{\n  \"Manufacturer\": \"DeepAnat-J phantom\"\n}\n")
                .commit(dir.resolve("dwi"));
        if (index == 0)
            new OutputSet().add(sub + "_T1w.nii.gz", NiftiImage.of(s.geometry(), new int[] {n, n, n}, s.t1w()))
                    .addText(sub + "_T1w.json", "{\n  \"Manufacturer\": \"DeepAnat-J phantom\"\n}\n")
                    .commit(dir.resolve("anat"));
        Path rel = out.relativize(dir);
        new OutputSet().add(prefix + "_space-dwi_desc-brain_mask.nii.gz", NiftiImage.of(s.geometry(), new int[] {n, n, n}, mask(s)))
                .commit(out.resolve("derivatives/masks").resolve(rel).resolve("dwi"));
    }

    /** One subject in the HCP layout, as {@code out/<hcpId(index)>/T1w/...}. */
    public static void writeHcp(PhantomSubject s, int index, Path out, long seed) {
        int n = s.n();
        Path t1w = out.resolve(hcpId(index)).resolve("T1w");
        GradientTable g = s.gradients();
        double[] b = g.bvals();
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + index);
        for (int i = 0; i < b.length; i++) b[i] = b[i] <= 50 ? 5 : b[i] + Math.round(r.nextDouble(-10, 10));
        StringBuilder bv = new StringBuilder();
        for (int i = 0; i < b.length; i++) bv.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%d", (long) b[i]));
        new OutputSet()
                .add("data.nii.gz", NiftiImage.of(s.geometry(), new int[] {n, n, n, g.count()}, s.dwi()))
                .add("nodif_brain_mask.nii.gz", NiftiImage.of(s.geometry(), new int[] {n, n, n}, mask(s)))
                .addText("bvals", bv.append('\n').toString())
                .addText("bvecs", GradientFiles.bvecText(g))
                .commit(t1w.resolve("Diffusion"));
        new OutputSet().add("T1w_acpc_dc_restore_1.25.nii.gz", NiftiImage.of(s.geometry(), new int[] {n, n, n}, s.t1w())).commit(t1w);
    }

    private static float[] mask(PhantomSubject s) {
        float[] m = new float[s.mask().length];
        for (int i = 0; i < m.length; i++) m[i] = s.mask()[i] ? 1 : 0;
        return m;
    }

    public static List<String> layouts() { return List.of("flat", "bids", "hcp"); }
}
