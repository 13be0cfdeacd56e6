package dev.deepanat.engine.backend;

import dev.deepanat.engine.Shapes;

/** A strided window on a storage, as kernels see it: element (i0..ik) lives at offset + sum(i_j * strides_j). */
public record View(Storage storage, long offset, int[] shape, int[] strides) {
    public static View contiguous(Storage s, int... shape) {
        return new View(s, 0, shape, Shapes.contiguousStrides(shape));
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    public boolean isContiguous() {
        int[] c = Shapes.contiguousStrides(shape);
        for (int i = 0; i < shape.length; i++) if (shape[i] != 1 && strides[i] != c[i]) return false;
        return true;
    }
}
