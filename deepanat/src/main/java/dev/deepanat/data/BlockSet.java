package dev.deepanat.data;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Blocks of loaded subjects, named by reference (subject, start, flip) and cut on demand, so a block is never held
 * twice: a training set is every block of the training grid of every subject and its x-flipped copy; a validation
 * set the same blocks without flips. The epoch order is a seeded shuffle that depends only on (seed, epoch), so a
 * resumed run sees the same order as an uninterrupted one.
 */
public final class BlockSet {
    public record Ref(int subject, int x, int y, int z, boolean flip) {}

    private final List<Subject> subjects;
    private final int block;
    private final List<Ref> refs;

    private BlockSet(List<Subject> subjects, int block, List<Ref> refs) {
        this.subjects = subjects;
        this.block = block;
        this.refs = List.copyOf(refs);
    }

    /** Every training-grid block of each subject, with its x-flipped copy when {@code flips}. */
    public static BlockSet of(List<Subject> subjects, int block, boolean flips) {
        List<Ref> refs = new ArrayList<>();
        for (int s = 0; s < subjects.size(); s++)
            for (Ref r : gridRefs(subjects.get(s), s, block)) {
                refs.add(r);
                if (flips) refs.add(new Ref(s, r.x, r.y, r.z, true));
            }
        return new BlockSet(subjects, block, refs);
    }

    /**
     * The fine-tuning split of the original: a seeded {@code fraction} of each subject's blocks (at least one when the
     * subject has two or more) for validation, unflipped; the rest, with flips, for training. Returns {train, val}.
     */
    public static BlockSet[] splitPerSubject(List<Subject> subjects, int block, double fraction, long seed) {
        List<Ref> train = new ArrayList<>(), val = new ArrayList<>();
        for (int s = 0; s < subjects.size(); s++) {
            List<Ref> grid = new ArrayList<>(gridRefs(subjects.get(s), s, block));
            shuffle(grid, new SplittableRandom(seed * 31 + s));
            int nVal = fraction == 0 || grid.size() < 2 ? 0 : Math.min(grid.size() - 1, Math.max(1, (int) Math.round(fraction * grid.size())));
            for (int i = 0; i < grid.size(); i++) {
                Ref r = grid.get(i);
                if (i < nVal) val.add(r);
                else {
                    train.add(r);
                    train.add(new Ref(s, r.x, r.y, r.z, true));
                }
            }
        }
        return new BlockSet[] {new BlockSet(subjects, block, train), new BlockSet(subjects, block, val)};
    }

    private static List<Ref> gridRefs(Subject sj, int s, int block) {
        BlockGrid g = BlockGrid.of(sj.mask(), sj.grid(), block, BlockGrid.TRAINING_PAD, sj.id());
        List<Ref> out = new ArrayList<>(g.count());
        for (int k = 0; k < g.count(); k++) {
            int[] p = g.start(k);
            out.add(new Ref(s, p[0], p[1], p[2], false));
        }
        return out;
    }

    public int size() {
        return refs.size();
    }

    public int block() {
        return block;
    }

    public List<Ref> refs() {
        return refs;
    }

    /** This epoch's order: a shuffle seeded by (seed, epoch) alone, truncated to {@code max} blocks when max > 0. */
    public List<Ref> epochOrder(long seed, int epoch, int max) {
        List<Ref> order = new ArrayList<>(refs);
        shuffle(order, new SplittableRandom(seed * 1_000_003L + epoch));
        return max > 0 && max < order.size() ? order.subList(0, max) : order;
    }

    private static <T> void shuffle(List<T> l, SplittableRandom rng) {
        for (int i = l.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            l.set(j, l.set(i, l.get(j)));
        }
    }

    /** {inputs [1, 11, b, b, b], target [1, 1, b, b, b], mask [1, 1, b, b, b]} of one block, on backend {@code be}. */
    public Tensor[] tensors(Ref r, Backend be) {
        Subject sj = subjects.get(r.subject);
        int b = block, vox = b * b * b;
        float[] in = new float[InputChannels.COUNT * vox], t = new float[vox], m = new float[vox];
        for (int c = 0; c < InputChannels.COUNT; c++) BlockCutter.cut(sj.inputs()[c], sj.grid(), r.x, r.y, r.z, b, r.flip, in, c * vox);
        BlockCutter.cut(sj.target(), sj.grid(), r.x, r.y, r.z, b, r.flip, t, 0);
        BlockCutter.cut(sj.mask(), sj.grid(), r.x, r.y, r.z, b, r.flip, m, 0);
        return new Tensor[] {Tensor.of(be, in, 1, InputChannels.COUNT, b, b, b), Tensor.of(be, t, 1, 1, b, b, b), Tensor.of(be, m, 1, 1, b, b, b)};
    }
}
