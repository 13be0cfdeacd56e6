package dev.deepanat.diffusion;

import dev.deepanat.common.UserError;
import dev.deepanat.data.Grid;
import dev.deepanat.data.InputChannels;
import dev.deepanat.data.SubjectLayout;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiHeader;
import dev.deepanat.nifti.NiftiImage;

import java.util.List;

/**
 * {@code deepanat prepare}: DWI + bvals/bvecs (+ mask) → the 11 DeepAnat input volumes (meanb0, meandwi,
 * L1-L3, six synthesized DWIs) plus FA, MD and V1. Everything is computed in memory first and written last,
 * as one {@link OutputSet}, so a failure leaves no partial outputs.
 */
public final class PreparePipeline {
    private PreparePipeline() {}

    public static PrepareSummary run(PrepareRequest req) {
        long t0 = System.nanoTime();
        if (req.subject() == null || req.subject().isBlank() || !req.subject().matches("[A-Za-z0-9._-]+"))
            throw new UserError("--subject-id: '" + req.subject() + "' must be a non-empty name of letters, digits, '.', '_' or '-'");
        if (!(req.b0Threshold() >= 0)) throw new UserError("--b0-threshold: must be >= 0, got " + req.b0Threshold());
        if (java.nio.file.Files.exists(req.outDir()) && !java.nio.file.Files.isDirectory(req.outDir()))
            throw new UserError(req.outDir() + ": exists and is not a folder"); // fail before minutes of work, not after
        NiftiImage dwi = DwiInput.readDwi(req.dwi());
        NiftiImage t1w = req.t1w() != null ? t1wOnGrid(req.t1w(), dwi) : null; // before the fit, not after it
        int[] dims = dwi.dims();
        int nvox = dims[0] * dims[1] * dims[2];
        GradientTable g = DwiInput.readGradients(req.bval(), req.bvec(), req.dwi(), dims[3]);
        VolumeSelection sel = VolumeSelection.select(g, req.b0Threshold(), req.shell(), req.bval().toString());
        float[] data = dwi.data();

        float[] meanB0 = meanOf(data, nvox, sel.b0Indices(), null);
        boolean computed = req.mask() == null;
        boolean[] mask = computed ? BrainMask.medianOtsu(meanB0, dims[0], dims[1], dims[2]) : DwiInput.readMask(req.mask(), dims);
        int inMask = BrainMask.count(mask);
        if (inMask == 0) throw new UserError(req.dwi() + ": the computed brain mask is empty; pass --mask");
        for (int i = 0; i < nvox; i++) if (!mask[i]) meanB0[i] = 0;
        float[] meanDwi = meanOf(data, nvox, sel.dwiIndices(), mask);

        TensorDesign design = new TensorDesign(g, sel.fitIndices());
        int threads = req.threads() > 0 ? req.threads() : Runtime.getRuntime().availableProcessors();
        double b = req.shell().synthesisB();
        long tf = System.nanoTime();
        DtiMaps maps = DtiMapper.run(data, dims, mask, design, req.method(), OptimalDirections.dsm6(), b, threads);
        double fitSeconds = (System.nanoTime() - tf) / 1e9;

        NiftiHeader geo = dwi.header();
        int[] d3 = {dims[0], dims[1], dims[2]};
        String sj = req.subject();
        OutputSet out = new OutputSet();
        float[][] channels = {meanB0, meanDwi, maps.l1(), maps.l2(), maps.l3(), maps.synthesized()[0], maps.synthesized()[1],
                maps.synthesized()[2], maps.synthesized()[3], maps.synthesized()[4], maps.synthesized()[5]};
        SubjectLayout files = new SubjectLayout(req.outDir(), sj);
        for (int c = 0; c < InputChannels.COUNT; c++) out.add(files.channel(c).getFileName().toString(), NiftiImage.of(geo, d3, channels[c]));
        out.add(sj + "_diff_dtiFA.nii.gz", NiftiImage.of(geo, d3, maps.fa()));
        out.add(sj + "_diff_dtiMD.nii.gz", NiftiImage.of(geo, d3, maps.md()));
        out.add(sj + "_diff_dtiV1.nii.gz", NiftiImage.of(geo, new int[]{dims[0], dims[1], dims[2], 3}, maps.v1()));
        // The mask goes into the subject folder whether computed or given (binarized), so the folder is complete.
        float[] m = new float[nvox];
        for (int i = 0; i < nvox; i++) m[i] = mask[i] ? 1f : 0f;
        out.add(files.mask().getFileName().toString(), NiftiImage.of(geo, d3, m));
        if (t1w != null) out.add(files.t1w().getFileName().toString(), t1w);
        List<java.nio.file.Path> written = out.commit(req.outDir());
        return new PrepareSummary(inMask, computed, sel.b0Indices().length, sel.dwiIndices().length, dims[3], b,
                (System.nanoTime() - t0) / 1e9, fitSeconds, written);
    }

    /** The T1w, checked to lie on the DWI's grid (dims and affine within 1e-3 mm). */
    private static NiftiImage t1wOnGrid(java.nio.file.Path t1w, NiftiImage dwi) {
        if (!java.nio.file.Files.isRegularFile(t1w)) throw new UserError(t1w + ": no such T1w file");
        NiftiImage t = Nifti.read(t1w);
        Grid g = Grid.of(t), d = Grid.of(dwi);
        if (t.nt() != 1 || !g.sameAs(d))
            throw new UserError(t1w + ": grid " + g + " is not the DWI's " + d + "; put it on the DWI's grid with 'deepanat resample'");
        return NiftiImage.of(t.header(), new int[] {g.nx(), g.ny(), g.nz()}, t.data());
    }

    /** Mean over the given volumes; voxels outside {@code mask} (when given) stay 0. */
    static float[] meanOf(float[] data, int nvox, int[] volumes, boolean[] mask) {
        double[] acc = new double[nvox];
        for (int t : volumes) {
            int o = t * nvox;
            for (int i = 0; i < nvox; i++) acc[i] += data[o + i];
        }
        float[] out = new float[nvox];
        for (int i = 0; i < nvox; i++) if (mask == null || mask[i]) out[i] = (float) (acc[i] / volumes.length);
        return out;
    }
}
