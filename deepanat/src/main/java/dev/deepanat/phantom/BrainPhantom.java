package dev.deepanat.phantom;

import dev.deepanat.diffusion.GradientTable;

/** Generates one phantom subject, deterministically from (spec.seed, subject index). */
public final class BrainPhantom {
    /** Voxels whose brain fraction reaches this are in the mask. */
    static final float MASK_FRACTION = 0.5f;

    private BrainPhantom() {}

    public static PhantomSubject generate(PhantomSpec spec, int subject) {
        SubjectParams p = SubjectParams.draw(spec.seed(), subject);
        long base = SmoothNoise.mix(spec.seed() * 0x9E3779B97F4A7C15L + subject);
        int n = spec.size();
        TissueMaps maps = TissueMaps.sample(new BrainAnatomy(p), n);
        boolean[] mask = new boolean[maps.voxels()];
        for (int v = 0; v < mask.length; v++) mask[v] = maps.brainFraction(v) >= MASK_FRACTION;

        GradientTable g = GradientScheme.build(spec.b0s(), spec.directions(), spec.b2000(), base ^ 0x6AD1L);
        float[] dwi = DiffusionSignal.simulate(maps, p, g, base ^ 0xC011L);
        if (spec.noise()) RicianNoise.apply(dwi, n, g.count(), p.s0Wm() / p.snr(), base ^ 0xD1FFL);
        float[] t1 = T1Synthesis.simulate(maps, p, mask, base ^ 0x7111L, spec.noise());
        return new PhantomSubject(PhantomSpec.subjectId(subject), n, PhantomGeometry.header(n, spec.voxelMm()), g, dwi, t1, mask, maps, p);
    }
}
