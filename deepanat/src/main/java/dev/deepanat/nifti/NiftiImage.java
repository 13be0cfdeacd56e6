package dev.deepanat.nifti;

import java.util.Arrays;

/**
 * A volume in memory: float32 voxels in NIfTI order (x fastest, then y, z, t) plus the header it came with.
 * The header describes the file it was read from (its datatype and scaling included); {@link Nifti#write} derives
 * the on-disk header from it, so only geometry, units, intent and description carry over.
 */
public final class NiftiImage {
    private final NiftiHeader header;
    private final int[] dims;
    private final float[] data;

    /** Wraps (does not copy) {@code data}; {@code header}'s dim must agree with {@code dims}. */
    NiftiImage(NiftiHeader header, int[] dims, float[] data) {
        if (dims.length < 3) throw new IllegalArgumentException("an image holds at least 3 dims");
        long n = checkedCount(dims);
        if (n != data.length)
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " need " + n + " voxels, data has " + data.length);
        this.header = header;
        this.dims = dims.clone();
        this.data = data;
    }

    /**
     * A new float32 image with the geometry (qform, sform, pixdim, units, intent, description) of
     * {@code geometrySource}. {@code dims} may drop or add the 4th dimension; {@code data} is used, not copied.
     */
    public static NiftiImage of(NiftiHeader geometrySource, int[] dims, float[] data) {
        if (dims.length < 1 || dims.length > 7) throw new IllegalArgumentException("1 to 7 dims, got " + dims.length);
        int[] present = presentDims(java.util.Arrays.stream(dims).asLongStream().toArray());
        NiftiHeader h = geometrySource.toBuilder()
                .dims(dims)
                .datatype(NiftiDatatype.FLOAT32)
                .scaling(1, 0)
                .build();
        return new NiftiImage(h, present, data);
    }

    public NiftiHeader header() { return header; }

    /** The dims present: at least 3 ({nx, ny, nz}, a 2D image has nz = 1), trailing 1s beyond the 3rd dropped. */
    public int[] dims() { return dims.clone(); }

    /** The voxels, x fastest; the live array, not a copy (volumes are large). */
    public float[] data() { return data; }

    /** The voxel-to-world affine, as nibabel's {@code img.affine}. */
    public double[][] affine() { return header.affine(); }

    public int nx() { return dims[0]; }
    public int ny() { return dims[1]; }
    public int nz() { return dims[2]; }
    /** Number of volumes: the product of the dims after the third (1 for a 3D image). */
    public int nt() { return data.length / (dims[0] * dims[1] * dims[2]); }

    public float get(int x, int y, int z) { return data[index(x, y, z, 0)]; }

    public float get(int x, int y, int z, int t) { return data[index(x, y, z, t)]; }

    private int index(int x, int y, int z, int t) {
        if (x < 0 || y < 0 || z < 0 || t < 0 || x >= dims[0] || y >= dims[1] || z >= dims[2] || t >= nt())
            throw new IndexOutOfBoundsException("voxel (" + x + "," + y + "," + z + "," + t + ") outside " + Arrays.toString(dims));
        return ((t * dims[2] + z) * dims[1] + y) * dims[0] + x;
    }

    /** The dims of a header as an image holds them: padded to 3, trailing 1s beyond the 3rd dropped. */
    static int[] presentDims(long[] shape) {
        int n = shape.length;
        while (n > 3 && shape[n - 1] == 1) n--;
        int[] d = new int[Math.max(3, n)];
        Arrays.fill(d, 1);
        for (int i = 0; i < n; i++) d[i] = (int) shape[i];
        return d;
    }

    private static long checkedCount(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 1) throw new IllegalArgumentException("dims must be positive: " + Arrays.toString(dims));
            n *= d;
        }
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("too many voxels for one array: " + n);
        return n;
    }
}
