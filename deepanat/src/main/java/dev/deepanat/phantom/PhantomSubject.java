package dev.deepanat.phantom;

import dev.deepanat.diffusion.GradientTable;
import dev.deepanat.nifti.NiftiHeader;

/** One generated subject: images (x fastest, DWI volumes last), acquisition, geometry and the ground truth. */
public record PhantomSubject(String id, int n, NiftiHeader geometry, GradientTable gradients, float[] dwi, float[] t1w,
                             boolean[] mask, TissueMaps truth, SubjectParams params) {}
