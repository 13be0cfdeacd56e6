package dev.deepanat.diffusion;

/**
 * Per-voxel results of the tensor fit, each a 3-D volume (x fastest) except {@code v1}, which is 4-D with three
 * components (x, y, z) as its last dimension. Diffusivities in mm²/s; zero outside the mask.
 */
public record DtiMaps(float[] l1, float[] l2, float[] l3, float[] fa, float[] md, float[] v1, float[] s0,
                      float[][] synthesized) {

    static DtiMaps allocate(int nvox) {
        float[][] syn = new float[6][nvox];
        return new DtiMaps(new float[nvox], new float[nvox], new float[nvox], new float[nvox], new float[nvox],
                new float[3 * nvox], new float[nvox], syn);
    }
}
