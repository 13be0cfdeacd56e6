package dev.deepanat.engine.loss;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.View;

/**
 * A running record of a scalar loss that stays on its device: each step's value is copied, device to device, into a
 * buffer of N slots, and the host reads the whole buffer only every N steps (one transfer, one synchronize) or when
 * asked. Every value read is checked: a NaN or infinite loss is an error naming the step it came from, so training
 * still stops at the first bad step without waiting on the device at every one.
 */
public final class LossMeter implements AutoCloseable {
    private final Backend backend;
    private final String name;
    private final Tensor slots;
    private final String[] labels;
    private int filled;
    private double sum;
    private long count;

    /** @param readEvery steps between two host reads (1 reads every step) */
    public LossMeter(Backend backend, String name, int readEvery) {
        if (readEvery < 1) throw new IllegalArgumentException("LossMeter: readEvery " + readEvery + " < 1");
        this.backend = backend;
        this.name = name;
        this.slots = Tensor.zeros(backend, readEvery).persistent();
        this.labels = new String[readEvery];
    }

    /** Records a scalar loss of this meter's backend; reads the buffer when it is full. label names the step. */
    public void add(Tensor loss, String label) {
        loss.requireOpen("LossMeter");
        if (loss.numel() != 1 || loss.backend() != backend)
            throw new IllegalArgumentException("LossMeter " + name + ": expected a scalar on " + backend.name() + ", got " + loss);
        backend.copy(new View(loss.storage(), loss.offset(), new int[] {1}, new int[] {1}),
                new View(slots.storage(), filled, new int[] {1}, new int[] {1}));
        labels[filled++] = label;
        if (filled == labels.length) read();
    }

    /** Reads what was recorded since the last read (when anything was), checking each value. */
    public void read() {
        if (filled == 0) return;
        float[] v = backend.download(slots.storage(), 0, filled);
        int n = filled;
        filled = 0;
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(v[i]))
                throw new ArithmeticException(name + " loss is " + v[i] + " at " + labels[i]
                        + " (NaN or infinity in the inputs, or a learning rate too high?)");
            sum += v[i];
        }
        count += n;
    }

    /** Mean of the values read so far (NaN before the first read). */
    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Values read so far. */
    public long count() {
        return count;
    }

    /** Steps recorded but not read yet. */
    public int pending() {
        return filled;
    }

    @Override
    public void close() {
        slots.close();
    }
}
