package dev.deepanat.engine.ops;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.PoolGeometry;
import dev.deepanat.engine.backend.UpsampleGeometry;

/** Max pooling and nearest-neighbour upsampling over NCDHW (3D) and NCHW (2D, as depth 1). */
public final class Pooling {
    private Pooling() {}

    /** Max pooling with window k and stride k (Keras' default), no padding, floor mode. */
    public static Tensor maxPool3d(Tensor x, int k) {
        return maxPool3d(x, new int[] {k, k, k}, new int[] {k, k, k});
    }

    public static Tensor maxPool3d(Tensor x, int[] kernel, int[] stride) {
        Shapes.requireRank("maxPool3d", x, 5, "[n, c, d, h, w]");
        Backend be = x.backend();
        int od = (x.dim(2) - kernel[0]) / stride[0] + 1, oh = (x.dim(3) - kernel[1]) / stride[1] + 1,
                ow = (x.dim(4) - kernel[2]) / stride[2] + 1;
        if (od <= 0 || oh <= 0 || ow <= 0)
            throw new IllegalArgumentException("maxPool3d: window " + Shapes.str(kernel) + " larger than input " + Shapes.str(x.shape()));
        PoolGeometry g = new PoolGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), x.dim(4),
                kernel[0], kernel[1], kernel[2], stride[0], stride[1], stride[2], od, oh, ow);
        Tensor xd = x.contiguous();
        Tensor y = OpSupport.empty(be, g.n(), g.c(), od, oh, ow);
        be.maxPool3d(g, xd.storage(), y.storage());
        int[] xShape = x.shape();
        return Autograd.record("maxPool3d", y, gy -> {
            Tensor dx = OpSupport.empty(be, xShape);
            be.maxPool3dBackward(g, xd.storage(), gy.contiguous().storage(), dx.storage());
            return new Tensor[] {dx};
        }, x);
    }

    public static Tensor maxPool2d(Tensor x, int k, int stride) {
        Shapes.requireRank("maxPool2d", x, 4, "[n, c, h, w]");
        Tensor y = maxPool3d(x.reshape(x.dim(0), x.dim(1), 1, x.dim(2), x.dim(3)), new int[] {1, k, k}, new int[] {1, stride, stride});
        return y.reshape(y.dim(0), y.dim(1), y.dim(3), y.dim(4));
    }

    /** Nearest upsampling by an integer factor on each spatial axis (Keras UpSampling3D). */
    public static Tensor upsampleNearest3d(Tensor x, int factor) {
        return upsampleNearest3d(x, new int[] {factor, factor, factor});
    }

    public static Tensor upsampleNearest3d(Tensor x, int[] factors) {
        Shapes.requireRank("upsampleNearest3d", x, 5, "[n, c, d, h, w]");
        Backend be = x.backend();
        UpsampleGeometry g = new UpsampleGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), x.dim(4), factors[0], factors[1], factors[2]);
        Tensor xd = x.contiguous();
        Tensor y = OpSupport.empty(be, g.n(), g.c(), g.d() * g.fd(), g.h() * g.fh(), g.w() * g.fw());
        be.upsampleNearest3d(g, xd.storage(), y.storage());
        int[] xShape = x.shape();
        return Autograd.record("upsampleNearest3d", y, gy -> {
            Tensor dx = OpSupport.empty(be, xShape);
            be.upsampleNearest3dBackward(g, gy.contiguous().storage(), dx.storage());
            return new Tensor[] {dx};
        }, x);
    }

    public static Tensor upsampleNearest2d(Tensor x, int factor) {
        Shapes.requireRank("upsampleNearest2d", x, 4, "[n, c, h, w]");
        Tensor y = upsampleNearest3d(x.reshape(x.dim(0), x.dim(1), 1, x.dim(2), x.dim(3)), new int[] {1, factor, factor});
        return y.reshape(y.dim(0), y.dim(1), y.dim(3), y.dim(4));
    }
}
