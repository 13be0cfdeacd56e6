package dev.deepanat.kernels.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * The sum of a vector's lanes in one fixed order, lane 0 first. {@code FloatVector.reduceLanes(ADD)} leaves the order
 * unspecified, and the interpreter and the JIT-compiled code do add in different orders, so a kernel's result
 * depended on whether the JIT had compiled it yet, which differs from run to run: training with a fixed seed was not
 * bit-reproducible on 2 threads. A store and a scalar loop is the same in every tier, and cheap (about 6 ns against
 * reduceLanes' 3 on the benchmark machine). Rearrange-based folds were tried: C2 did not keep them in registers inside
 * the backward-weight micro-kernel, which then ran 3× slower.
 */
final class Lanes {
    private Lanes() {}

    /** A scratch array for {@link #sum}, one per task: {@code lanes.length} = the vector length. */
    static float[] scratch() {
        return new float[FloatVector.SPECIES_PREFERRED.length()];
    }

    static float sum(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        float s = 0;
        for (int i = 0; i < lanes.length; i++) s += lanes[i];
        return s;
    }
}
