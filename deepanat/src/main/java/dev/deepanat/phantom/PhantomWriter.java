package dev.deepanat.phantom;

import dev.deepanat.diffusion.GradientFiles;
import dev.deepanat.diffusion.OutputSet;
import dev.deepanat.nifti.NiftiImage;

import java.nio.file.Path;
import java.util.List;

/** Writes {@code <out>/<sj>/<sj>_{dwi,t1w,mask}.nii.gz} and {@code _dwi.bval/.bvec}, all-or-nothing per subject. */
public final class PhantomWriter {
    private PhantomWriter() {}

    public static List<Path> write(PhantomSubject s, Path outDir) {
        int n = s.n();
        String sj = s.id();
        float[] mask = new float[s.mask().length];
        for (int i = 0; i < mask.length; i++) mask[i] = s.mask()[i] ? 1 : 0;
        OutputSet set = new OutputSet()
                .add(sj + "_dwi.nii.gz", NiftiImage.of(s.geometry(), new int[]{n, n, n, s.gradients().count()}, s.dwi()))
                .add(sj + "_t1w.nii.gz", NiftiImage.of(s.geometry(), new int[]{n, n, n}, s.t1w()))
                .add(sj + "_mask.nii.gz", NiftiImage.of(s.geometry(), new int[]{n, n, n}, mask));
        set.addText(sj + "_dwi.bval", GradientFiles.bvalText(s.gradients()))
           .addText(sj + "_dwi.bvec", GradientFiles.bvecText(s.gradients()));
        return set.commit(outDir.resolve(sj));
    }
}
