package dev.deepanat.train;

import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.ops.Views;

/**
 * The 2-D slices a hybrid GAN's discriminator sees of a 3-D block: all b sagittal, b coronal and b axial slices of a
 * [1, 1, b, b, b] block (NCDHW: depth z, height y, width x), as one [3b, 1, b, b] tensor, in the original's order and
 * orientation (its Keras blocks are [x, y, z]: sagittal = the block as stored, coronal = transpose (y, x, z), axial =
 * transpose (z, x, y)): sagittal slice i is x = i with rows y and columns z; coronal slice i is y = i with rows x and
 * columns z; axial slice i is z = i with rows x and columns y. Built from permuted views and one concatenation, so
 * the copy runs on the block's device; differentiable.
 */
public final class BlockSlices {
    /**
     * The original's rule: a 64 × 64 slice takes part in the discriminator's training when its real T1w has an L2 norm
     * above this, in normalized units (slices of mostly background carry nothing to judge). Smaller slices (tests,
     * demos) use the same root-mean-square bound: 15 · b / 64.
     */
    public static final float MIN_REAL_NORM = 15f;

    private BlockSlices() {}

    public static Tensor of(Tensor block) {
        int[] s = block.shape();
        if (s.length != 5 || s[0] != 1 || s[1] != 1 || s[2] != s[3] || s[3] != s[4])
            throw new IllegalArgumentException("slices: expected a cubic [1, 1, b, b, b] block, got " + Shapes.str(s));
        int b = s[2];
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor v = block.reshape(b, b, b); // [z, y, x]
            Tensor all = Views.concat(0, v.permute(2, 1, 0), v.permute(1, 2, 0), v.permute(0, 2, 1));
            return scope.keep(all.reshape(3 * b, 1, b, b));
        }
    }

    /**
     * The indices of the slices whose real image has an L2 norm above {@link #MIN_REAL_NORM} (scaled to the slice's
     * edge): the norms are computed on the device and read back once (one transfer per block).
     */
    public static int[] informative(Tensor realSlices) {
        float bound = MIN_REAL_NORM * realSlices.dim(3) / 64f;
        float[] norms;
        try (MemoryScope scope = MemoryScope.open()) {
            norms = realSlices.mul(realSlices).sum(false, 1, 2, 3).sqrt().toArray();
        }
        int n = 0;
        int[] idx = new int[norms.length];
        for (int i = 0; i < norms.length; i++) if (norms[i] > bound) idx[n++] = i;
        return java.util.Arrays.copyOf(idx, n);
    }
}
