package dev.deepanat.model;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.init.Initializer;
import dev.deepanat.engine.init.Initializers;
import dev.deepanat.engine.nn.BatchNorm;
import dev.deepanat.engine.nn.Conv2d;
import dev.deepanat.engine.nn.Linear;
import dev.deepanat.engine.nn.Module;
import dev.deepanat.engine.nn.Sequential;
import dev.deepanat.engine.ops.Padding;
import dev.deepanat.engine.ops.Pointwise;

import java.util.random.RandomGenerator;

/**
 * The hybrid GAN's 2D discriminator, SRGAN's (Ledig et al. 2017) as DeepAnat uses it on 64×64 slices: a 3×3 conv with
 * f filters, stride 1, and LeakyReLU(0.2); seven 3×3 convs with (f, s2), (2f, s1), (2f, s2), (4f, s1), (4f, s2),
 * (8f, s1), (8f, s2), each followed by batch norm and LeakyReLU(0.2); flatten; dense 16f, LeakyReLU(0.2); dense 1;
 * sigmoid. The paper's f is 64 ({@link #paper}): 512·4·4 features into a dense 1024.
 *
 * <ul>
 *   <li>Convolutions have no bias; conv and dense weights are normal(0, 0.02), dense biases zero.</li>
 *   <li>Padding is TensorFlow/Keras 'same' as in the original, which for stride 2 on an even size pads one row and
 *       one column after, none before (PyTorch's {@code padding=1} would pad both sides and shift the grid).</li>
 *   <li>Batch norm with PyTorch's defaults (momentum 0.1, eps 1e-5) and train/eval behaviour.</li>
 *   <li>Spectral normalization ({@link dev.deepanat.engine.nn.SpectralNorm}) on every conv and dense layer unless
 *       turned off. Freeze the whole model ({@link #freeze}) for the generator's step: no power iteration, no running
 *       statistics update, no parameter gradients, gradients still flowing to the input.</li>
 *   <li>Flattening is NCHW (channel-major), as PyTorch's: a Keras (NHWC) dense kernel would need permuting.</li>
 * </ul>
 *
 * <p>Parameter names, as the PyTorch model of {@code make_gan_golden.py} (an {@code nn.ModuleList} {@code blocks}):
 * {@code conv0}, {@code blocks.0} … {@code blocks.6} (each {@code .conv} and {@code .bn}), {@code fc0}, {@code fc1};
 * a spectrally normalized layer has {@code weight_orig}, {@code weight_u}, {@code weight_v} instead of {@code weight}.
 *
 * <p>Where the original Keras code ({@code cnn_models.discriminator_2d_model}) differs from this model (which follows
 * the issue and the paper): it uses plain Conv2D and Dense layers (the repository's {@code SpectralNormalizationKeras}
 * is not used by it); its dense layers are glorot_uniform with bias; its batch norm is Keras' default (momentum 0.99,
 * i.e. PyTorch's 0.01, and eps 1e-3). Padding, the LeakyReLU slope, bias-free normal(0, 0.02) convs and the layer
 * widths agree.
 */
public final class Discriminator extends Module {
    /** (filters as a multiple of f, stride) of the seven conv–BN–LeakyReLU blocks. */
    private static final int[][] BLOCKS = {{1, 2}, {2, 1}, {2, 2}, {4, 1}, {4, 2}, {8, 1}, {8, 2}};
    public static final float SLOPE = 0.2f;

    private final int imageSize;
    private final Conv2d conv0;
    private final Sequential blocks;
    private final Linear fc0, fc1;

    /**
     * @param imageSize    edge of the square 1-channel input, a multiple of 16
     * @param baseFilters  f, the first conv's filters (64 in the paper)
     * @param spectralNorm spectral normalization on every conv and dense layer
     */
    public Discriminator(int imageSize, int baseFilters, boolean spectralNorm, RandomGenerator rng) {
        if (imageSize < 16 || imageSize % 16 != 0 || baseFilters < 1)
            throw new IllegalArgumentException("Discriminator: image size " + imageSize + " must be a positive multiple of 16, "
                    + "base filters " + baseFilters + " positive");
        this.imageSize = imageSize;
        Initializer init = Initializers.normal(0, 0.02);
        conv0 = registerModule("conv0", conv(1, baseFilters, 1, spectralNorm, init, rng));
        Block[] list = new Block[BLOCKS.length];
        int prev = baseFilters;
        for (int i = 0; i < BLOCKS.length; i++) {
            int f = baseFilters * BLOCKS[i][0];
            list[i] = new Block(conv(prev, f, BLOCKS[i][1], spectralNorm, init, rng), BatchNorm.of2d(f));
            prev = f;
        }
        blocks = registerModule("blocks", new Sequential(list));
        int side = imageSize / 16;
        fc0 = registerModule("fc0", dense(prev * side * side, 16 * baseFilters, spectralNorm, init, rng));
        fc1 = registerModule("fc1", dense(16 * baseFilters, 1, spectralNorm, init, rng));
    }

    /** The paper's discriminator: 64×64 inputs, 64 base filters. */
    public static Discriminator paper(boolean spectralNorm, RandomGenerator rng) {
        return new Discriminator(64, 64, spectralNorm, rng);
    }

    private static Conv2d conv(int in, int out, int stride, boolean sn, Initializer init, RandomGenerator rng) {
        Conv2d c = new Conv2d(in, out, 3, stride, Padding.same(), false, init, rng);
        return sn ? c.spectralNorm(rng) : c;
    }

    private static Linear dense(int in, int out, boolean sn, Initializer init, RandomGenerator rng) {
        Linear l = new Linear(in, out, true, init, rng);
        return sn ? l.spectralNorm(rng) : l;
    }

    public int imageSize() {
        return imageSize;
    }

    /** The probability that each image is real: x [n, 1, s, s] → [n, 1]. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor z = logits(x), p = Pointwise.sigmoid(z);
        z.close();
        return p;
    }

    /** The pre-sigmoid scores [n, 1], for a loss on logits. */
    public Tensor logits(Tensor x) {
        Shapes.requireRank("Discriminator", x, 4, "[n, 1, h, w]");
        if (x.dim(1) != 1 || x.dim(2) != imageSize || x.dim(3) != imageSize)
            throw new IllegalArgumentException("Discriminator: input " + Shapes.str(x.shape()) + ", expected [n, 1, "
                    + imageSize + ", " + imageSize + "]");
        Tensor h = leaky(conv0.forward(x));
        h = then(h, blocks.forward(h));
        Tensor flat = h.flatten();
        h = then(h, leaky(fc0.forward(flat)));
        flat.close();
        return then(h, fc1.forward(h));
    }

    /** Closes the consumed intermediate (its graph node holds what backward needs) and returns the next one. */
    private static Tensor then(Tensor consumed, Tensor next) {
        if (next != consumed) consumed.close();
        return next;
    }

    private static Tensor leaky(Tensor x) {
        Tensor y = Pointwise.leakyRelu(x, SLOPE);
        x.close();
        return y;
    }

    /** Conv (no bias) → batch norm → LeakyReLU(0.2). */
    static final class Block extends Module {
        private final Conv2d conv;
        private final BatchNorm bn;

        Block(Conv2d conv, BatchNorm bn) {
            this.conv = registerModule("conv", conv);
            this.bn = registerModule("bn", bn);
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = conv.forward(x), n = bn.forward(y);
            y.close();
            return leaky(n);
        }
    }
}
