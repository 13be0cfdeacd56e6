package dev.deepanat.engine.backend;

/**
 * Batch normalization's view of a dense input [n, c, spatial…]: statistics per channel over n × spatial values (cuDNN's
 * spatial mode; BatchNorm2d and BatchNorm3d alike).
 */
public record BatchNormGeometry(int n, int c, long spatial) {
    public BatchNormGeometry {
        if (n < 1 || c < 1 || spatial < 1)
            throw new IllegalArgumentException("batchNorm: geometry n=" + n + " c=" + c + " spatial=" + spatial);
    }

    /** Values per channel. */
    public long count() {
        return n * spatial;
    }

    public long numel() {
        return count() * c;
    }
}
