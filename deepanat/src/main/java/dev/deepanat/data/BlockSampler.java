package dev.deepanat.data;

import dev.deepanat.engine.Tensor;

import java.util.SplittableRandom;

/**
 * Draws training blocks of edge b from a subject: a random corner such that the block lies inside the volume and
 * its centre inside the mask, then a left-right flip (along x) with probability one half, DeepAnat's augmentation.
 * Tensors are NCDHW with D = z, H = y, W = x.
 */
public final class BlockSampler {
    private final Subject s;
    private final int b;
    private final SplittableRandom rng;

    public BlockSampler(Subject s, int block, long seed) {
        if (block > s.nx() || block > s.ny() || block > s.nz())
            throw new IllegalArgumentException("block " + block + " larger than the volume " + s.nx() + "×" + s.ny() + "×" + s.nz());
        this.s = s;
        this.b = block;
        this.rng = new SplittableRandom(seed);
    }

    /** {inputs [1, 11, b, b, b], target [1, 1, b, b, b], mask [1, 1, b, b, b]}. */
    public Tensor[] next() {
        int x0, y0, z0, tries = 0;
        do {
            // A mask that no block centre can reach would otherwise loop forever.
            if (++tries > 100_000)
                throw new IllegalArgumentException(s.id() + ": no " + b + "³ block inside the volume is centred in the mask");
            x0 = rng.nextInt(s.nx() - b + 1);
            y0 = rng.nextInt(s.ny() - b + 1);
            z0 = rng.nextInt(s.nz() - b + 1);
        } while (s.mask()[index(x0 + b / 2, y0 + b / 2, z0 + b / 2)] <= 0);
        boolean flip = rng.nextBoolean();
        int vox = b * b * b;
        float[] in = new float[InputChannels.COUNT * vox], t = new float[vox], m = new float[vox];
        for (int c = 0; c < InputChannels.COUNT; c++) crop(s.inputs()[c], in, c * vox, x0, y0, z0, flip);
        crop(s.target(), t, 0, x0, y0, z0, flip);
        crop(s.mask(), m, 0, x0, y0, z0, flip);
        return new Tensor[] {Tensor.of(in, 1, InputChannels.COUNT, b, b, b), Tensor.of(t, 1, 1, b, b, b), Tensor.of(m, 1, 1, b, b, b)};
    }

    private void crop(float[] src, float[] dst, int off, int x0, int y0, int z0, boolean flip) {
        int i = off;
        for (int z = 0; z < b; z++)
            for (int y = 0; y < b; y++)
                for (int x = 0; x < b; x++)
                    dst[i++] = src[index(x0 + (flip ? b - 1 - x : x), y0 + y, z0 + z)];
    }

    private int index(int x, int y, int z) {
        return (z * s.ny() + y) * s.nx() + x;
    }
}
