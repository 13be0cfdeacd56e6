package dev.deepanat.kernels.cpu;

/**
 * A shape with the strides of two operands, with size-1 dimensions dropped and adjacent dimensions merged wherever
 * both operands are contiguous across them (a stride-0 broadcast run merges with another stride-0 run). Lets the
 * strided kernels run long innermost loops.
 */
final class Strided {
    final int[] shape, s1, s2;

    private Strided(int[] shape, int[] s1, int[] s2) {
        this.shape = shape;
        this.s1 = s1;
        this.s2 = s2;
    }

    static Strided merge(int[] shape, int[] a, int[] b) {
        int r = shape.length;
        int[] sh = new int[Math.max(1, r)], sa = new int[Math.max(1, r)], sb = new int[Math.max(1, r)];
        int k = 0;
        for (int i = 0; i < r; i++) {
            if (shape[i] == 1) continue;
            if (k > 0 && sa[k - 1] == a[i] * shape[i] && sb[k - 1] == b[i] * shape[i]) {
                sh[k - 1] *= shape[i];
                sa[k - 1] = a[i];
                sb[k - 1] = b[i];
            } else {
                sh[k] = shape[i];
                sa[k] = a[i];
                sb[k] = b[i];
                k++;
            }
        }
        if (k == 0) {
            sh[0] = 1;
            sa[0] = 1;
            sb[0] = 1;
            k = 1;
        }
        return new Strided(java.util.Arrays.copyOf(sh, k), java.util.Arrays.copyOf(sa, k), java.util.Arrays.copyOf(sb, k));
    }
}
