package dev.deepanat.kernels.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * The sum of a vector's lanes in one fixed order, lane 0 first. {@code FloatVector.reduceLanes(ADD)} leaves the order
 * unspecified, and the interpreter and the JIT-compiled code do add in different orders, so a kernel's result
 * depended on whether the JIT had compiled it yet, which differs from run to run: training with a fixed seed was not
 * bit-reproducible on 2 threads. A store and a scalar loop is the same in every tier, and cheap (about 6 ns against
 * reduceLanes' 3.4 on a Zen 4 core). Two cheaper-looking fixed orders were tried, a tree of rearranges and halving
 * by shape (reinterpretShape, 5.4 ns alone): inside the backward-weight micro-kernel both made a training step about
 * 3× slower, apparently because the call was no longer inlined and the vectors were boxed. This one costs a training
 * step 6-20% (docs/performance.md), the price of bit-reproducible training until backward-weight reduces less often.
 * (Since issue 13 the conv backward-weight of the large layers, {@link ConvBackwardWeight}, has no lane sums; only
 * {@link ConvBackwardWeightVoxels}, for few columns, and the reductions use this.)
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
