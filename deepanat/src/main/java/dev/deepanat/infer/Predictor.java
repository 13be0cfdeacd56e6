package dev.deepanat.infer;

import dev.deepanat.data.BlockCutter;
import dev.deepanat.data.BlockGrid;
import dev.deepanat.data.InputChannels;
import dev.deepanat.data.Subject;
import dev.deepanat.engine.MemoryScope;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.autograd.Autograd;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.model.UNet3d;

/**
 * The network's output over a subject's whole brain, in normalized units, NIfTI-ordered, multiplied by the mask.
 * Blocks: every block of the prediction grid (pad 5), {@code crop} voxels cut from each block face that is not on
 * the grid's outer edge (a start equal to the axis's first or last start, as the original decides it, so duplicate
 * starts at an edge are not cropped), overlapping voxels averaged. Whole: one forward pass over the volume zero-padded up to the
 * U-Net's size multiple.
 */
public final class Predictor {
    /** Progress over blocks (one block for the whole tiling). */
    public interface Listener {
        default void start(int blocks) {}

        default void block(int done) {}
    }

    private Predictor() {}

    public static float[] predict(UNet3d net, int block, Subject s, Tiling tiling, int pad, int crop, Backend be, Listener l) {
        net.eval();
        try (Autograd.NoGrad ng = Autograd.noGrad()) {
            float[] out = tiling == Tiling.WHOLE ? whole(net, s, be, l) : blocks(net, block, s, pad, crop, be, l);
            float[] mask = s.mask();
            for (int i = 0; i < out.length; i++) if (mask[i] == 0) out[i] = 0f; // not × mask: −0.0 would be written
            return out;
        }
    }

    static float[] blocks(UNet3d net, int b, Subject s, int pad, int crop, Backend be, Listener l) {
        if (crop < 0 || 2 * crop >= b) throw new IllegalArgumentException("--crop " + crop + ": must be in [0, " + (b - 1) / 2 + "] for " + b + "³ blocks");
        BlockGrid grid = BlockGrid.of(s.mask(), s.grid(), b, pad, s.id());
        int vox = b * b * b;
        float[] acc = new float[s.voxels()], hits = new float[s.voxels()], in = new float[InputChannels.COUNT * vox];
        // The same blocks uncropped, for voxels no cropped block reaches (a small --pad, or small blocks on a large brain).
        float[] accAll = new float[s.voxels()], hitsAll = new float[s.voxels()];
        int[] none = {0, 0, 0}, whole = {b, b, b};
        int[][] starts = {grid.xs(), grid.ys(), grid.zs()};
        l.start(grid.count());
        for (int k = 0; k < grid.count(); k++) {
            int[] p = grid.start(k), c0 = new int[3], c1 = new int[3];
            for (int a = 0; a < 3; a++) { // as the original: a face is outer when its start is the axis's first or last
                c0[a] = p[a] > starts[a][0] ? crop : 0;
                c1[a] = p[a] < starts[a][starts[a].length - 1] ? b - crop : b;
            }
            for (int c = 0; c < InputChannels.COUNT; c++) BlockCutter.cut(s.inputs()[c], s.grid(), p[0], p[1], p[2], b, false, in, c * vox);
            float[] y;
            try (MemoryScope scope = MemoryScope.open()) {
                y = net.forward(Tensor.of(be, in, 1, InputChannels.COUNT, b, b, b)).toArray();
            }
            BlockCutter.accumulate(y, b, p[0], p[1], p[2], c0, c1, s.grid(), acc, hits);
            BlockCutter.accumulate(y, b, p[0], p[1], p[2], none, whole, s.grid(), accAll, hitsAll);
            l.block(k + 1);
        }
        for (int i = 0; i < acc.length; i++) acc[i] = hits[i] > 0 ? acc[i] / hits[i] : hitsAll[i] > 0 ? accAll[i] / hitsAll[i] : 0f;
        return acc;
    }

    static float[] whole(UNet3d net, Subject s, Backend be, Listener l) {
        int m = net.config().sizeMultiple();
        int nx = s.nx(), ny = s.ny(), nz = s.nz();
        int px = roundUp(nx, m), py = roundUp(ny, m), pz = roundUp(nz, m), vox = px * py * pz;
        l.start(1);
        float[] in = new float[InputChannels.COUNT * vox];
        for (int c = 0; c < InputChannels.COUNT; c++)
            for (int z = 0; z < nz; z++)
                for (int y = 0; y < ny; y++)
                    System.arraycopy(s.inputs()[c], (z * ny + y) * nx, in, c * vox + (z * py + y) * px, nx);
        float[] y;
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.of(be, in, 1, InputChannels.COUNT, pz, py, px);
            in = null; // the copy on the backend is all that is needed now: let a large volume's host copy go
            y = net.forward(x).toArray();
        }
        float[] res = new float[s.voxels()];
        for (int z = 0; z < nz; z++)
            for (int yy = 0; yy < ny; yy++)
                System.arraycopy(y, (z * py + yy) * px, res, (z * ny + yy) * nx, nx);
        l.block(1);
        return res;
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }
}
