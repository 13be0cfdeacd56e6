package dev.deepanat.data;

import dev.deepanat.nifti.NiftiImage;

import java.util.Arrays;
import java.util.Locale;

/**
 * A 3D voxel grid: dimensions and the voxel-to-world affine. Two images are on the same grid when their dims are
 * equal and their affines agree within 1e-3 mm, the rule for the T1w and every input channel of a subject.
 */
public record Grid(int nx, int ny, int nz, double[][] affine) {
    static final double TOLERANCE_MM = 1e-3;

    public static Grid of(NiftiImage img) {
        int[] d = img.dims();
        return new Grid(d[0], d.length > 1 ? d[1] : 1, d.length > 2 ? d[2] : 1, img.affine());
    }

    public int voxels() {
        return nx * ny * nz;
    }

    public boolean sameAs(Grid o) {
        if (nx != o.nx || ny != o.ny || nz != o.nz) return false;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
                if (!(Math.abs(affine[i][j] - o.affine[i][j]) <= TOLERANCE_MM)) return false;
        return true;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(nx + "×" + ny + "×" + nz + " affine [");
        for (int i = 0; i < 3; i++) {
            if (i > 0) s.append("; ");
            for (int j = 0; j < 4; j++) s.append(j > 0 ? " " : "").append(String.format(Locale.ROOT, "%.4g", affine[i][j]));
        }
        return s.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Grid g && nx == g.nx && ny == g.ny && nz == g.nz && Arrays.deepEquals(affine, g.affine);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(affine) * 31 + voxels();
    }
}
