package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Parallel;

import dev.deepanat.engine.backend.AdamStep;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The in-place Adam update (torch.optim.Adam's formula, see {@link AdamStep}), vectorized and split over the pool. */
final class AdamKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();

    private AdamKernel() {}

    static void run(AdamStep s, float[] p, float[] gr, float[] m, float[] v, int n) {
        final float b1 = s.beta1(), b2 = s.beta2(), wd = s.weightDecay(), eps = s.eps();
        final float c1 = 1 - b1, c2 = 1 - b2;
        final float stepSize = (float) (s.lr() / s.biasCorrection1());
        final float invSqrtBc2 = (float) (1 / Math.sqrt(s.biasCorrection2()));
        Parallel.forRange(n, 1 << 14, (lo, hi) -> {
            int i = lo, upper = lo + S.loopBound(hi - lo);
            for (; i < upper; i += VL) {
                FloatVector pv = FloatVector.fromArray(S, p, i);
                FloatVector g = FloatVector.fromArray(S, gr, i);
                if (wd != 0) g = g.add(pv.mul(wd));
                FloatVector mv = FloatVector.fromArray(S, m, i).mul(b1).add(g.mul(c1));
                FloatVector vv = FloatVector.fromArray(S, v, i).mul(b2).add(g.mul(c2).mul(g));
                mv.intoArray(m, i);
                vv.intoArray(v, i);
                FloatVector denom = vv.sqrt().mul(invSqrtBc2).add(eps);
                pv.sub(mv.mul(stepSize).div(denom)).intoArray(p, i);
            }
            for (; i < hi; i++) {
                float g = gr[i] + wd * p[i];
                m[i] = b1 * m[i] + c1 * g;
                v[i] = b2 * v[i] + c2 * g * g;
                float denom = (float) Math.sqrt(v[i]) * invSqrtBc2 + eps;
                p[i] = p[i] - stepSize * m[i] / denom;
            }
        });
    }
}
