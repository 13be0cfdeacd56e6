package dev.deepanat.engine.nn;

import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.ops.LinearAlgebra;
import dev.deepanat.engine.ops.Pointwise;
import dev.deepanat.engine.ops.Views;

import java.util.random.RandomGenerator;

/**
 * Spectral normalization of a layer's weight (Miyato et al. 2018), as PyTorch 1.13's
 * {@code torch.nn.utils.spectral_norm} with one power iteration: the weight W, seen as the matrix [out, rest], is
 * divided by σ = uᵀ W v, an estimate of its largest singular value. The layer's parameter {@code weight} becomes
 * {@code weight_orig}, with persistent buffers {@code weight_u} [out] and {@code weight_v} [rest], so a state dict maps
 * one to one onto a PyTorch module with {@code spectral_norm}.
 *
 * <p>In a forward that {@link Module#updatesState() updates state} (training mode, not frozen) one power iteration
 * runs first, without gradient: v ← normalize(Wᵀu), u ← normalize(Wv), written into the buffers in place. σ is then
 * computed with u and v held constant, so the gradient of W/σ flows through σ's dependence on W only. In eval mode, or
 * frozen, the stored u and v are used as they are.
 */
public final class SpectralNorm {
    /** PyTorch's default: normalize(x) = x / max(‖x‖, eps). */
    public static final float EPS = 1e-12f;

    private final Module owner;
    private final String name;

    private SpectralNorm(Module owner, String name) {
        this.owner = owner;
        this.name = name;
    }

    /**
     * Applies spectral normalization to owner's parameter {@code name}: re-registers it as {@code name_orig} and
     * registers {@code name_u} and {@code name_v}, drawn from a unit normal with rng and normalized. The owner's
     * forward takes its weight from {@link #weight()}.
     */
    static SpectralNorm apply(Module owner, String name, RandomGenerator rng) {
        Tensor w = owner.unregisterParameter(name);
        int out = w.dim(0), rest = (int) (w.numel() / out);
        owner.registerParameter(name + "_orig", w);
        owner.registerBuffer(name + "_u", unitRandom(rng, out, w));
        owner.registerBuffer(name + "_v", unitRandom(rng, rest, w));
        return new SpectralNorm(owner, name);
    }

    private static Tensor unitRandom(RandomGenerator rng, int n, Tensor like) {
        try (MemoryScope s = MemoryScope.open(); Autograd.NoGrad ng = Autograd.noGrad()) {
            return s.keep(normalize(Tensor.randn(rng, 0, 1, n).to(like.backend())));
        }
    }

    /** The normalized weight for this forward of the owner (a new tensor, the caller's). */
    public Tensor weight() {
        return normalized(owner.param(name + "_orig"), owner.buffer(name + "_u"), owner.buffer(name + "_v"), owner.updatesState());
    }

    /**
     * W / σ(W) with σ = uᵀ W v, W reshaped to [out, rest]. With powerIteration, one power iteration updates u [out] and
     * v [rest] in place first.
     */
    public static Tensor normalized(Tensor weight, Tensor u, Tensor v, boolean powerIteration) {
        int out = weight.dim(0), rest = (int) (weight.numel() / out);
        if (u.numel() != out || v.numel() != rest)
            throw new IllegalArgumentException("spectralNorm: u " + Shapes.str(u.shape()) + " and v "
                    + Shapes.str(v.shape()) + " for a weight " + Shapes.str(weight.shape()));
        try (MemoryScope s = MemoryScope.open()) {
            Tensor w = weight.reshape(out, rest);
            Tensor uc, vc; // constants: copies, so a later in-place update cannot reach what this graph saved
            try (Autograd.NoGrad ng = Autograd.noGrad()) {
                if (powerIteration) {
                    v.copyFrom(normalize(LinearAlgebra.matmul(u.reshape(1, out), w).reshape(rest))); // (Wᵀu)ᵀ = uᵀW
                    u.copyFrom(normalize(LinearAlgebra.linear(v.reshape(1, rest), w, null).reshape(out))); // (Wv)ᵀ = vᵀWᵀ
                }
                uc = Views.copyOf(u).reshape(1, out);
                vc = Views.copyOf(v).reshape(rest, 1);
            }
            Tensor sigma = LinearAlgebra.matmul(uc, LinearAlgebra.matmul(w, vc)); // [1, 1]
            return s.keep(weight.div(sigma.reshape(1))); // σ broadcast over W
        }
    }

    /** x / max(‖x‖, eps), not recorded. */
    static Tensor normalize(Tensor x) {
        Tensor norm = Pointwise.clamp(x.mul(x).sum().sqrt(), EPS, Float.MAX_VALUE);
        return x.div(norm);
    }
}
