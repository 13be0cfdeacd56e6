package dev.deepanat.kernels.cuda;

/**
 * The size classes of the caching allocator, as PyTorch's: requests round up to 512 bytes below 1 MiB, to 2 MiB
 * below 10 MiB and to 20 MiB above, so that a freed block serves later requests of nearby sizes without a trip to
 * the driver and without wasting more than a small fraction.
 */
final class SizeClasses {
    private SizeClasses() {}

    static final long SMALL = 1 << 20, MEDIUM = 10L << 20;

    /** The class (block size in bytes) of a request for {@code bytes}. */
    static long classOf(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative size " + bytes);
        if (bytes == 0) return 512;
        if (bytes < SMALL) return roundUp(bytes, 512);
        if (bytes < MEDIUM) return roundUp(bytes, 2L << 20);
        return roundUp(bytes, 20L << 20);
    }

    static long roundUp(long x, long to) {
        return (x + to - 1) / to * to;
    }
}
