package dev.deepanat.model;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.init.Initializers;
import dev.deepanat.engine.nn.BatchNorm;
import dev.deepanat.engine.nn.Conv3d;
import dev.deepanat.engine.nn.Module;
import dev.deepanat.engine.ops.Padding;
import dev.deepanat.engine.ops.Pointwise;
import dev.deepanat.engine.ops.Pooling;
import dev.deepanat.engine.ops.Views;
import dev.deepanat.engine.profile.Layer;

import java.util.random.RandomGenerator;

/**
 * DeepAnat's 3D U-Net (after Tian et al.'s Keras unet3d): per level two 3×3×3 'same' convolutions with ReLU
 * (optionally batch-normalized), 2× max pooling down, 2× nearest upsampling up, skip connections by concatenation
 * (the skip first, then the upsampled path, as the original's {@code concatenate([conv, up])}), and a final 3×3×3
 * 'same' convolution to the output channels with no activation. Kernels are he_normal, biases zero.
 * Parameter names: enc{l}.{0,1}, dec{l}.{0,1} (each with .conv and, with batch norm, .bn), out.
 */
public final class UNet3d extends Module {
    private final UNetConfig config;
    private final ConvBlock[] enc, dec;
    private final Conv3d out;

    public UNet3d(UNetConfig config, RandomGenerator rng) {
        this.config = config;
        int levels = config.levels();
        enc = new ConvBlock[levels];
        dec = new ConvBlock[levels - 1];
        int prev = config.inChannels();
        for (int l = 0; l < levels; l++) {
            int f = config.baseFilters() << l;
            enc[l] = registerModule("enc" + l, new ConvBlock(prev, f, config.batchNorm(), rng));
            prev = f;
        }
        for (int l = levels - 2; l >= 0; l--) {
            int f = config.baseFilters() << l;
            dec[l] = registerModule("dec" + l, new ConvBlock(prev + f, f, config.batchNorm(), rng));
            prev = f;
        }
        out = registerModule("out", new Conv3d(prev, config.outChannels(), 3, 1, Padding.same(), true, Initializers.heNormal(), rng));
    }

    public UNetConfig config() {
        return config;
    }

    /** x [n, inChannels, d, h, w] with d, h, w multiples of {@link UNetConfig#sizeMultiple()}. */
    @Override
    public Tensor forward(Tensor x) {
        Shapes.requireRank("UNet3d", x, 5, "[n, c, d, h, w]");
        int m = config.sizeMultiple();
        if (x.dim(1) != config.inChannels() || x.dim(2) % m != 0 || x.dim(3) % m != 0 || x.dim(4) % m != 0)
            throw new IllegalArgumentException("UNet3d: input " + Shapes.str(x.shape()) + " needs " + config.inChannels()
                    + " channels and spatial sizes divisible by " + m);
        // Each intermediate is closed as soon as it is consumed: what backward needs of it, its graph node holds, and
        // the rest goes back to the backend at once (whole-volume inference depends on it).
        int levels = config.levels();
        Tensor[] skips = new Tensor[levels];
        // Layer scopes name the kernels for `deepanat profile` (enc0.1, pool2, up0, cat0, dec0.0, out).
        for (int l = 0; l < levels; l++) {
            Tensor in = x;
            if (l > 0) try (var p = Layer.enter("pool" + l)) { in = Pooling.maxPool3d(skips[l - 1], 2); }
            try (var e = Layer.enter("enc" + l)) { skips[l] = enc[l].forward(in); }
            if (in != x) in.close();
        }
        Tensor h = skips[levels - 1];
        // Inference (nothing to record): where the backend can, each decoder block's first conv reads the skip and the
        // coarser level in place (Conv3d.forwardSkipUp), so neither the upsampled level nor the concatenation is
        // allocated (at whole-volume size 1.6 and 2.4 GB at level 0).
        boolean inference = !config.batchNorm() && !recording(x);
        for (int l = levels - 2; l >= 0; l--) {
            if (inference && dec[l].skipUpInPlace(skips[l], h)) {
                Tensor next;
                try (var d = Layer.enter("dec" + l)) { next = dec[l].forwardSkipUp(skips[l], h); }
                h.close();
                skips[l].close();
                h = next;
                continue;
            }
            Tensor up, cat;
            try (var u = Layer.enter("up" + l)) { up = Pooling.upsampleNearest3d(h, 2); }
            h.close();
            try (var c = Layer.enter("cat" + l)) { cat = Views.concat(1, skips[l], up); }
            up.close();
            skips[l].close();
            try (var d = Layer.enter("dec" + l)) { h = dec[l].forward(cat); }
            cat.close();
        }
        Tensor y;
        try (var o = Layer.enter("out")) { y = out.forward(h); }
        h.close();
        return y;
    }

    /** Whether this forward pass records a graph: recording is on and the input or a parameter requires a gradient. */
    private boolean recording(Tensor x) {
        if (!Autograd.isEnabled()) return false;
        if (x.requiresGrad()) return true;
        for (Tensor p : parameters()) if (p.requiresGrad()) return true;
        return false;
    }

    /** Two 3×3×3 convolutions, each followed by (batch norm and) ReLU. */
    static final class ConvBlock extends Module {
        private final Module[] layers;

        ConvBlock(int in, int out, boolean bn, RandomGenerator rng) {
            layers = new Module[] {
                    registerModule("0", new ConvBnRelu(in, out, bn, rng)),
                    registerModule("1", new ConvBnRelu(out, out, bn, rng))};
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h, y;
            try (var l = Layer.enter("0")) { h = layers[0].forward(x); }
            try (var l = Layer.enter("1")) { y = layers[1].forward(h); }
            h.close();
            return y;
        }

        boolean skipUpInPlace(Tensor skip, Tensor low) {
            return ((ConvBnRelu) layers[0]).conv.skipUpInPlace(skip, low);
        }

        /** forward(concat(skip, upsample ×2 (low))) for inference, the first conv reading both in place. */
        Tensor forwardSkipUp(Tensor skip, Tensor low) {
            Tensor h, y;
            try (var l = Layer.enter("0")) { h = ((ConvBnRelu) layers[0]).forwardSkipUp(skip, low); }
            try (var l = Layer.enter("1")) { y = layers[1].forward(h); }
            h.close();
            return y;
        }
    }

    static final class ConvBnRelu extends Module {
        private final Conv3d conv;
        private final BatchNorm bn;

        ConvBnRelu(int in, int out, boolean batchNorm, RandomGenerator rng) {
            // With batch norm the conv bias is redundant (the norm's shift replaces it), as in the Keras original.
            conv = registerModule("conv", new Conv3d(in, out, 3, 1, Padding.same(), !batchNorm, Initializers.heNormal(), rng));
            bn = batchNorm ? registerModule("bn", BatchNorm.of3d(out)) : null;
        }

        /** Without batch norm only (the caller checks): relu(conv(concat(skip, upsample(low)))). */
        Tensor forwardSkipUp(Tensor skip, Tensor low) {
            return conv.forwardSkipUp(skip, low, true);
        }

        @Override
        public Tensor forward(Tensor x) {
            // Without batch norm: conv → ReLU in one kernel (the same values as conv.forward then Pointwise.relu).
            if (bn == null) return conv.forwardRelu(x);
            Tensor y = conv.forward(x);
            if (bn != null) {
                Tensor n = bn.forward(y);
                y.close();
                y = n;
            }
            Tensor a = Pointwise.relu(y);
            y.close();
            return a;
        }
    }
}
