package dev.deepanat.diffusion;

/**
 * The diffusion encoding of every volume: b-values in s/mm² and unit gradient directions.
 * Directions are stored flat ({@code gx0, gy0, gz0, gx1, ...}) so hot loops index them without boxing;
 * b=0 volumes may carry a zero vector.
 */
public record GradientTable(double[] bvals, double[] bvecs) {

    public GradientTable {
        if (bvecs.length != 3 * bvals.length)
            throw new IllegalArgumentException(bvals.length + " b-values but " + bvecs.length / 3 + " b-vectors");
        bvals = bvals.clone();
        bvecs = bvecs.clone();
    }

    public int count() { return bvals.length; }

    public double b(int i) { return bvals[i]; }

    public double gx(int i) { return bvecs[3 * i]; }

    public double gy(int i) { return bvecs[3 * i + 1]; }

    public double gz(int i) { return bvecs[3 * i + 2]; }
}
