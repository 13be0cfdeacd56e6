package dev.deepanat.phantom;

import dev.deepanat.engine.Parallel;

import dev.deepanat.diffusion.GradientTable;

/**
 * Noise-free DWI from tissue fractions: each tissue contributes fraction × S0_tissue × attenuation, times a smooth
 * receive-coil sensitivity. Grey matter, deep grey matter and CSF diffuse isotropically; each white-matter fibre
 * population is a zeppelin (cylindrically symmetric tensor, axial λ∥, radial λ⊥) and crossing voxels average two.
 * A voxel of pure single-fibre WM is therefore exactly a diffusion tensor with eigenvalues (λ∥, λ⊥, λ⊥).
 */
public final class DiffusionSignal {
    private DiffusionSignal() {}

    public static float[] simulate(TissueMaps maps, SubjectParams s, GradientTable g, long coilSeed) {
        int n = maps.n(), nvox = maps.voxels(), nt = g.count();
        float[] out = new float[nvox * nt];
        double[] gm = new double[nt], dgm = new double[nt], csf = new double[nt];
        for (int t = 0; t < nt; t++) {
            gm[t] = s.s0Gm() * Math.exp(-g.b(t) * s.gmDiffusivity());
            dgm[t] = s.s0DeepGm() * Math.exp(-g.b(t) * s.deepGmDiffusivity());
            csf[t] = s.s0Csf() * Math.exp(-g.b(t) * s.csfDiffusivity());
        }
        float[] fWm = maps.fractions()[Tissue.WM.ordinal()], fGm = maps.fractions()[Tissue.CORTICAL_GM.ordinal()];
        float[] fDgm = maps.fractions()[Tissue.DEEP_GM.ordinal()], fCsf = maps.fractions()[Tissue.CSF.ordinal()];
        double dPerp = s.wmRadial(), dDelta = s.wmAxial() - s.wmRadial();
        SmoothNoise coil = new SmoothNoise(coilSeed);
        Parallel.forEach(n, z -> {
            for (int v = z * n * n, end = v + n * n; v < end; v++) {
                if (maps.brainFraction(v) == 0) continue;
                int x = v % n, y = (v / n) % n;
                double c = 1 + 0.10 * coil.at(2.0 * x / n, 2.0 * y / n, 2.0 * z / n);
                int k = maps.fibreCount()[v];
                for (int t = 0; t < nt; t++) {
                    double sig = fGm[v] * gm[t] + fDgm[v] * dgm[t] + fCsf[v] * csf[t];
                    if (fWm[v] > 0 && k > 0) {
                        double b = g.b(t), gx = g.gx(t), gy = g.gy(t), gz = g.gz(t), e = 0;
                        for (int f = 0; f < k; f++) {
                            int o = 6 * v + 3 * f;
                            double cos = gx * maps.fibreDirs()[o] + gy * maps.fibreDirs()[o + 1] + gz * maps.fibreDirs()[o + 2];
                            e += Math.exp(-b * (dPerp + dDelta * cos * cos));
                        }
                        sig += fWm[v] * s.s0Wm() * e / k;
                    }
                    out[v + t * nvox] = (float) (c * sig);
                }
            }
        });
        return out;
    }
}
