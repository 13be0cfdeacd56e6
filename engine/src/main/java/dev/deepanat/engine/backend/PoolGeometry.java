package dev.deepanat.engine.backend;

/** Max pooling (no padding, floor mode) of x [n, c, d, h, w] into y [n, c, od, oh, ow]; 2D is d = kd = 1. */
public record PoolGeometry(int n, int c, int d, int h, int w,
                           int kd, int kh, int kw, int sd, int sh, int sw,
                           int od, int oh, int ow) {
    public long outputSize() { return (long) n * c * od * oh * ow; }
}
