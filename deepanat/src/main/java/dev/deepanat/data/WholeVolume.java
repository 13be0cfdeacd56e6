package dev.deepanat.data;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.model.UNet3d;

/**
 * Runs the network over a whole volume at once, zero-padding each axis up to the U-Net's size multiple and cropping
 * the output back. (Overlapping-block inference for large volumes belongs to the inference pipeline.)
 */
public final class WholeVolume {
    private WholeVolume() {}

    /** The network's output for the subject, NIfTI-ordered, still normalized. */
    public static float[] predict(UNet3d net, Subject s) {
        int m = net.config().sizeMultiple();
        int px = roundUp(s.nx(), m), py = roundUp(s.ny(), m), pz = roundUp(s.nz(), m);
        int vox = px * py * pz;
        float[] in = new float[InputChannels.COUNT * vox];
        for (int c = 0; c < InputChannels.COUNT; c++)
            for (int z = 0; z < s.nz(); z++)
                for (int y = 0; y < s.ny(); y++)
                    System.arraycopy(s.inputs()[c], (z * s.ny() + y) * s.nx(), in, c * vox + (z * py + y) * px, s.nx());
        float[] out;
        try (Autograd.NoGrad ng = Autograd.noGrad()) {
            out = net.forward(Tensor.of(in, 1, InputChannels.COUNT, pz, py, px)).toArray();
        }
        float[] res = new float[s.voxels()];
        for (int z = 0; z < s.nz(); z++)
            for (int y = 0; y < s.ny(); y++)
                System.arraycopy(out, (z * py + y) * px, res, (z * s.ny() + y) * s.nx(), s.nx());
        return res;
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }
}
