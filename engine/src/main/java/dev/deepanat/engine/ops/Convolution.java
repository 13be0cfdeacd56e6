package dev.deepanat.engine.ops;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.Storage;
import dev.deepanat.engine.backend.UnaryOp;

/**
 * 3D convolution (cross-correlation) with PyTorch's layouts, x [n, c, d, h, w] and w [o, c, kd, kh, kw]; its gradient
 * is the backend's backward-data and backward-weight kernels. conv2d is conv3d with a unit depth axis.
 */
public final class Convolution {
    private Convolution() {}

    public static Tensor conv3d(Tensor x, Tensor w, Tensor bias, int[] stride, Padding padding) {
        return conv3d("conv3d", x, w, bias, stride, padding, false);
    }

    /**
     * relu(conv3d(x, w, bias)) in one kernel ({@link Backend#conv3dRelu}): the output is stored once, already
     * rectified. Its definition is {@code Pointwise.relu(conv3d(x, w, bias, stride, padding))}, which it equals exactly
     * (values and gradients; {@code BackendConformanceTest} checks both).
     *
     * <p>Backward: the node saves the post-ReLU output y as the mask (y > 0 exactly where the pre-activation was, the
     * same mask {@code Pointwise.relu} saves), and the incoming gradient is masked, gy · step(y), before it enters the
     * conv's backward-data and backward-weight. Nothing else is saved beyond what conv3d saves.
     */
    public static Tensor conv3dRelu(Tensor x, Tensor w, Tensor bias, int[] stride, Padding padding) {
        return conv3d("conv3dRelu", x, w, bias, stride, padding, true);
    }

    /**
     * For inference: [relu](conv3d(concat(skip, upsampleNearest3d(low, 2)), w, bias)) with stride 1 and 'same'
     * padding, through {@link Backend#conv3dSkipUp}, which need not materialize the upsampled level or the
     * concatenation. Records no gradient: with recording on and an input that requires one, it refuses (use the
     * three ops).
     */
    public static Tensor conv3dSkipUp(Tensor skip, Tensor low, Tensor w, Tensor bias, boolean relu) {
        String op = "conv3dSkipUp";
        Backend be = OpSupport.sameBackend(op, skip, low, w, bias);
        if (Autograd.isEnabled() && (skip.requiresGrad() || low.requiresGrad() || w.requiresGrad() || bias != null && bias.requiresGrad()))
            throw new IllegalStateException(op + " is for inference: it records no gradient (run it under Autograd.noGrad())");
        ConvGeometry g = skipUpGeometry(op, skip, low, w, bias);
        Tensor sd = skip.contiguous(), ld = low.contiguous(), wc = w.contiguous(), bd = bias == null ? null : bias.contiguous();
        Tensor y = OpSupport.empty(be, g.n(), g.cOut(), g.od(), g.oh(), g.ow());
        be.conv3dSkipUp(g, skip.dim(1), sd.storage(), ld.storage(), wc.storage(), bd == null ? null : bd.storage(), y.storage(), relu);
        OpSupport.closeTemp(sd, skip);
        OpSupport.closeTemp(ld, low);
        OpSupport.closeTemp(wc, w);
        OpSupport.closeTemp(bd, bias);
        return y;
    }

    /** Whether the backend runs {@link #conv3dSkipUp} on these operands without materializing its input. */
    public static boolean conv3dSkipUpInPlace(Tensor skip, Tensor low, Tensor w) {
        Backend be = OpSupport.sameBackend("conv3dSkipUp", skip, low, w);
        return be.conv3dSkipUpInPlace(skipUpGeometry("conv3dSkipUp", skip, low, w, null));
    }

    /** The stride-1, 'same' geometry over concat(skip, upsample ×2 (low)), the operands checked. */
    private static ConvGeometry skipUpGeometry(String op, Tensor skip, Tensor low, Tensor w, Tensor bias) {
        Shapes.requireRank(op, skip, 5, "[n, c, d, h, w]");
        Shapes.requireRank(op, low, 5, "[n, c, d/2, h/2, w/2]");
        Shapes.requireRank(op, w, 5, "[out, in, kd, kh, kw]");
        if (low.dim(0) != skip.dim(0) || 2 * low.dim(2) != skip.dim(2) || 2 * low.dim(3) != skip.dim(3) || 2 * low.dim(4) != skip.dim(4))
            throw new IllegalArgumentException(op + ": the coarse input must have half the skip's sizes " + OpSupport.shapes(skip, low));
        int cIn = skip.dim(1) + low.dim(1);
        if (w.dim(1) != cIn || w.dim(2) % 2 == 0 || w.dim(3) % 2 == 0 || w.dim(4) % 2 == 0)
            throw new IllegalArgumentException(op + ": weight " + Shapes.str(w.shape()) + " for " + cIn + " input channels, odd kernel");
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != w.dim(0)))
            throw new IllegalArgumentException(op + ": bias shape " + Shapes.str(bias.shape()) + " for " + w.dim(0) + " filters");
        int d = skip.dim(2), h = skip.dim(3), wd = skip.dim(4);
        return new ConvGeometry(skip.dim(0), cIn, d, h, wd, w.dim(0), w.dim(2), w.dim(3), w.dim(4), 1, 1, 1,
                w.dim(2) / 2, w.dim(3) / 2, w.dim(4) / 2, d, h, wd);
    }

    private static Tensor conv3d(String op, Tensor x, Tensor w, Tensor bias, int[] stride, Padding padding, boolean relu) {
        Backend be = OpSupport.sameBackend(op, x, w, bias);
        Shapes.requireRank(op, x, 5, "[n, c, d, h, w]");
        Shapes.requireRank(op, w, 5, "[out, in, kd, kh, kw]");
        if (x.dim(1) != w.dim(1))
            throw new IllegalArgumentException(op + ": input has " + x.dim(1) + " channels but the weight expects "
                    + w.dim(1) + " (shapes " + OpSupport.shapes(x, w) + ")");
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != w.dim(0)))
            throw new IllegalArgumentException(op + ": bias shape " + Shapes.str(bias.shape()) + " for " + w.dim(0) + " filters");
        if (stride.length != 3) throw new IllegalArgumentException(op + ": stride needs 3 values");
        int[] pd = padding.resolve(x.dim(2), w.dim(2), stride[0], 0);
        int[] ph = padding.resolve(x.dim(3), w.dim(3), stride[1], 1);
        int[] pw = padding.resolve(x.dim(4), w.dim(4), stride[2], 2);
        if (pd[1] <= 0 || ph[1] <= 0 || pw[1] <= 0)
            throw new IllegalArgumentException(op + ": kernel " + Shapes.str(w.shape()) + " larger than padded input " + Shapes.str(x.shape()));
        ConvGeometry g = new ConvGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), x.dim(4),
                w.dim(0), w.dim(2), w.dim(3), w.dim(4), stride[0], stride[1], stride[2],
                pd[0], ph[0], pw[0], pd[1], ph[1], pw[1]);
        Tensor xd = x.contiguous(), wd = w.contiguous(), bd = bias == null ? null : bias.contiguous();
        Tensor y = OpSupport.empty(be, g.n(), g.cOut(), g.od(), g.oh(), g.ow());
        Storage bs = bd == null ? null : bd.storage();
        if (relu) be.conv3dRelu(g, xd.storage(), wd.storage(), bs, y.storage());
        else be.conv3d(g, xd.storage(), wd.storage(), bs, y.storage());
        int[] xShape = x.shape(), wShape = w.shape();
        boolean hasBias = bias != null;
        boolean needX = x.requiresGrad(), needW = w.requiresGrad() || hasBias && bias.requiresGrad();
        // Saved: the dense input when a weight gradient is needed, the weight when an input gradient is (as PyTorch);
        // with the ReLU, also the output as its mask.
        Tensor out = Autograd.op(op, y, x, w, bias).save(needW ? xd : null, needX ? wd : null, relu ? y : null).backward((gy, n) -> {
            // The ReLU's backward first (Pointwise.relu's rule): the gradient of the pre-activation.
            Tensor gm = gy;
            if (relu) {
                Tensor mask = Pointwise.map(op, UnaryOp.STEP, n.saved(2));
                gm = gy.mul(mask);
                mask.close();
            }
            Tensor gyd = gm.contiguous();
            Tensor dx = null, dw = null, db = null;
            if (n.needs(0)) {
                dx = OpSupport.empty(be, xShape);
                be.conv3dBackwardData(g, gyd.storage(), n.saved(1).storage(), dx.storage());
            }
            if (n.needs(1) || n.needs(2)) {
                dw = OpSupport.empty(be, wShape);
                db = hasBias ? OpSupport.empty(be, g.cOut()) : null;
                be.conv3dBackwardWeight(g, n.saved(0).storage(), gyd.storage(), dw.storage(), db == null ? null : db.storage());
            }
            OpSupport.closeTemp(gyd, gm);
            if (gm != gy) gm.close();
            return new Tensor[] {dx, dw, db};
        });
        OpSupport.closeTemp(xd, x);
        OpSupport.closeTemp(wd, w);
        OpSupport.closeTemp(bd, bias);
        return out;
    }

    /** x [n, c, h, w], w [o, c, kh, kw]. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int[] stride, Padding padding) {
        Shapes.requireRank("conv2d", x, 4, "[n, c, h, w]");
        Shapes.requireRank("conv2d", w, 4, "[out, in, kh, kw]");
        if (stride.length != 2) throw new IllegalArgumentException("conv2d: stride needs 2 values");
        Padding p3 = padding instanceof Padding.Explicit e
                ? Padding.of(0, e.amounts()[0], e.amounts().length > 1 ? e.amounts()[1] : e.amounts()[0]) : padding;
        Tensor x5 = x.reshape(x.dim(0), x.dim(1), 1, x.dim(2), x.dim(3)), w5 = w.reshape(w.dim(0), w.dim(1), 1, w.dim(2), w.dim(3));
        Tensor y5 = conv3d(x5, w5, bias, new int[] {1, stride[0], stride[1]}, p3);
        Tensor y = y5.reshape(y5.dim(0), y5.dim(1), y5.dim(3), y5.dim(4));
        OpSupport.closeTemp(x5, x);
        OpSupport.closeTemp(w5, w);
        y5.close();
        return y;
    }
}
