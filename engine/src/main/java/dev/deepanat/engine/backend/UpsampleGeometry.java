package dev.deepanat.engine.backend;

/** Nearest upsampling of x [n, c, d, h, w] by integer factors into y [n, c, d·fd, h·fh, w·fw]; 2D is fd = 1, d = 1. */
public record UpsampleGeometry(int n, int c, int d, int h, int w, int fd, int fh, int fw) {
    public long inputSize() { return (long) n * c * d * h * w; }
}
