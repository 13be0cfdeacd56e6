package dev.deepanat.phantom;

import dev.deepanat.engine.Parallel;

import java.util.SplittableRandom;

/**
 * The T1-weighted image. It depends on the diffusion data only through the shared tissue fractions: intensity is
 * Σ fraction × T1 level (WM bright, GM mid, CSF dark), times its own smooth bias field and a faint tissue texture,
 * plus its own Rician noise — none of which the DWI sees. Skull-stripped: zero outside the mask.
 */
public final class T1Synthesis {
    private T1Synthesis() {}

    public static float[] simulate(TissueMaps maps, SubjectParams s, boolean[] mask, long seed, boolean noise) {
        int n = maps.n(), nvox = maps.voxels();
        float[] out = new float[nvox];
        float[][] f = maps.fractions();
        double[] level = new double[Tissue.COUNT];
        level[Tissue.WM.ordinal()] = s.t1Wm();
        level[Tissue.CORTICAL_GM.ordinal()] = s.t1Gm();
        level[Tissue.DEEP_GM.ordinal()] = s.t1DeepGm();
        level[Tissue.CSF.ordinal()] = s.t1Csf();
        SmoothNoise bias = new SmoothNoise(seed ^ 0xB1A5L), texture = new SmoothNoise(seed ^ 0x7E47L);
        double sigma = noise ? s.t1NoiseFraction() * s.t1Wm() : 0;
        Parallel.forEach(n, z -> {
            SplittableRandom r = new SplittableRandom(SmoothNoise.mix(seed * 7919 + z));
            for (int v = z * n * n, end = v + n * n; v < end; v++) {
                if (!mask[v]) continue;
                int x = v % n, y = (v / n) % n;
                double sig = 0;
                for (int t = 0; t < Tissue.COUNT; t++) sig += f[t][v] * level[t];
                sig *= 1 + s.t1Bias() * bias.at(1.5 * x / n, 1.5 * y / n, 1.5 * z / n);
                sig *= 1 + 0.03 * texture.at(12.0 * x / n, 12.0 * y / n, 12.0 * z / n);
                if (sigma > 0) {
                    double re = sig + sigma * r.nextGaussian(), im = sigma * r.nextGaussian();
                    sig = Math.sqrt(re * re + im * im);
                }
                out[v] = (float) sig;
            }
        });
        return out;
    }
}
