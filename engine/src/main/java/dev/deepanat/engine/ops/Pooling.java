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
        Backend be = OpSupport.sameBackend("maxPool3d", x);
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
        // Saved: the input, whose first maximum in each window routes the gradient.
        Tensor out = Autograd.op("maxPool3d", y, x).save(xd).backward((gy, n) -> {
            Tensor dx = OpSupport.empty(be, xShape);
            be.maxPool3dBackward(g, n.saved(0).storage(), gy.contiguous().storage(), dx.storage());
            return new Tensor[] {dx};
        });
        OpSupport.closeTemp(xd, x);
        return out;
    }

    public static Tensor maxPool2d(Tensor x, int k, int stride) {
        Shapes.requireRank("maxPool2d", x, 4, "[n, c, h, w]");
        Tensor x5 = x.reshape(x.dim(0), x.dim(1), 1, x.dim(2), x.dim(3));
        Tensor y5 = maxPool3d(x5, new int[] {1, k, k}, new int[] {1, stride, stride});
        Tensor y = y5.reshape(y5.dim(0), y5.dim(1), y5.dim(3), y5.dim(4));
        OpSupport.closeTemp(x5, x);
        y5.close();
        return y;
    }

    /** Nearest upsampling by an integer factor on each spatial axis (Keras UpSampling3D). */
    public static Tensor upsampleNearest3d(Tensor x, int factor) {
        return upsampleNearest3d(x, new int[] {factor, factor, factor});
    }

    public static Tensor upsampleNearest3d(Tensor x, int[] factors) {
        Shapes.requireRank("upsampleNearest3d", x, 5, "[n, c, d, h, w]");
        Backend be = OpSupport.sameBackend("upsampleNearest3d", x);
        UpsampleGeometry g = new UpsampleGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), x.dim(4), factors[0], factors[1], factors[2]);
        Tensor xd = x.contiguous();
        Tensor y = OpSupport.empty(be, g.n(), g.c(), g.d() * g.fd(), g.h() * g.fh(), g.w() * g.fw());
        be.upsampleNearest3d(g, xd.storage(), y.storage());
        int[] xShape = x.shape();
        OpSupport.closeTemp(xd, x);
        return Autograd.op("upsampleNearest3d", y, x).backward((gy, n) -> {
            Tensor dx = OpSupport.empty(be, xShape);
            be.upsampleNearest3dBackward(g, gy.contiguous().storage(), dx.storage());
            return new Tensor[] {dx};
        });
    }

    public static Tensor upsampleNearest2d(Tensor x, int factor) {
        Shapes.requireRank("upsampleNearest2d", x, 4, "[n, c, h, w]");
        Tensor x5 = x.reshape(x.dim(0), x.dim(1), 1, x.dim(2), x.dim(3));
        Tensor y5 = upsampleNearest3d(x5, new int[] {1, factor, factor});
        Tensor y = y5.reshape(y5.dim(0), y5.dim(1), y5.dim(3), y5.dim(4));
        OpSupport.closeTemp(x5, x);
        y5.close();
        return y;
    }
}
