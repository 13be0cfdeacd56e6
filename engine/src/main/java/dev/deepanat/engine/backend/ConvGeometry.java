package dev.deepanat.engine.backend;

/**
 * Shape of a 3D convolution, NCDHW input x [n, cIn, d, h, w], weight [cOut, cIn, kd, kh, kw],
 * output y [n, cOut, od, oh, ow]. Padding is given before each axis only: the padding after follows from
 * the output size, which lets Keras/TensorFlow's asymmetric 'same' padding (more at the end) be expressed.
 * A 2D convolution is the case d = kd = 1.
 */
public record ConvGeometry(int n, int cIn, int d, int h, int w,
                           int cOut, int kd, int kh, int kw,
                           int sd, int sh, int sw,
                           int pd, int ph, int pw,
                           int od, int oh, int ow) {

    public long inputSize() { return (long) n * cIn * d * h * w; }
    public long weightSize() { return (long) cOut * cIn * kd * kh * kw; }
    public long outputSize() { return (long) n * cOut * od * oh * ow; }

    /** Multiply-accumulates of the forward pass (each backward pass costs the same). */
    public long macs() { return outputSize() * cIn * kd * kh * kw; }
}
