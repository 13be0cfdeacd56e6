package dev.deepanat.engine.ops;

/** How a convolution pads its input: Keras/TensorFlow 'same', 'valid', or explicit symmetric amounts. */
public sealed interface Padding {
    /** Output size ceil(in / stride); the total padding is split with the extra element at the end, as TensorFlow does. */
    record Same() implements Padding {}

    record Valid() implements Padding {}

    /** The same amount before and after on each spatial axis (PyTorch's {@code padding=p}). */
    record Explicit(int... amounts) implements Padding {}

    static Padding same() { return new Same(); }
    static Padding valid() { return new Valid(); }
    static Padding of(int... amounts) { return new Explicit(amounts); }

    /** {padBefore, outputSize} for one axis. */
    default int[] resolve(int in, int k, int s, int axis) {
        return switch (this) {
            case Same() -> {
                int out = (in + s - 1) / s;
                int total = Math.max((out - 1) * s + k - in, 0);
                yield new int[] {total / 2, out};
            }
            case Valid() -> new int[] {0, (in - k) / s + 1};
            case Explicit e -> {
                int p = e.amounts().length == 1 ? e.amounts()[0] : e.amounts()[axis];
                yield new int[] {p, (in + 2 * p - k) / s + 1};
            }
        };
    }
}
