package dev.deepanat.engine;

import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.Storage;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Helpers of the backend conformance suite ({@link BackendConformanceTest}) and of the backend-specific tests: random
 * data, one kernel call on a backend from host arrays (fresh outputs NaN-filled first, every storage freed after), and
 * the comparisons against the reference backend's results.
 */
public final class Conformance {
    private Conformance() {}

    /** n values uniform in [−1, 1). */
    public static float[] random(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble() * 2 - 1);
        return a;
    }

    // ---- comparisons ------------------------------------------------------------------------------------------------

    /** Norm-wise: max|got − ref| ≤ rel · max|ref| + abs, NaN and infinities where ref has them; the worst element named. */
    public static void close(String what, float[] ref, float[] got, double rel, double abs) {
        assertEquals(ref.length, got.length, what + ": length");
        double maxRef = 0, maxErr = 0;
        int worst = -1;
        for (int i = 0; i < ref.length; i++) {
            if (ref[i] == got[i] || Float.isNaN(ref[i]) && Float.isNaN(got[i])) continue;
            if (!Float.isFinite(ref[i]) || !Float.isFinite(got[i]))
                fail(what + ": element " + i + " is " + got[i] + ", the reference has " + ref[i]);
            double e = Math.abs((double) got[i] - ref[i]);
            if (e > maxErr) {
                maxErr = e;
                worst = i;
            }
        }
        for (float r : ref) if (Float.isFinite(r)) maxRef = Math.max(maxRef, Math.abs(r));
        double tol = rel * maxRef + abs;
        if (!(maxErr <= tol))
            fail(what + ": max error " + maxErr + " > " + tol + " at " + worst + " (ref " + ref[worst] + ", got " + got[worst] + ")");
    }

    /** {@link #close} with the tolerance of the convolution and gemm checks. */
    public static void close(String what, float[] ref, float[] got) {
        close(what, ref, got, 1e-5, 1e-6);
    }

    /** Equal values element by element (+0 equals −0; NaN equals NaN). */
    public static void exact(String what, float[] ref, float[] got) {
        assertEquals(ref.length, got.length, what + ": length");
        for (int i = 0; i < ref.length; i++)
            if (!(ref[i] == got[i] || Float.isNaN(ref[i]) && Float.isNaN(got[i])))
                fail(what + ": element " + i + " is " + got[i] + ", the reference has " + ref[i]);
    }

    /** The same bits element by element (any NaN equals any NaN): for data movement. */
    public static void identical(String what, float[] ref, float[] got) {
        assertEquals(ref.length, got.length, what + ": length");
        for (int i = 0; i < ref.length; i++)
            if (Float.floatToIntBits(ref[i]) != Float.floatToIntBits(got[i]))
                fail(what + ": element " + i + " is " + got[i] + " (bits " + Integer.toHexString(Float.floatToRawIntBits(got[i]))
                        + "), expected " + ref[i] + " (bits " + Integer.toHexString(Float.floatToRawIntBits(ref[i])) + ")");
    }

    // ---- running kernels ----------------------------------------------------------------------------------------------

    /** The storages of one kernel call on one backend, all freed on close. */
    public static final class On implements AutoCloseable {
        public final Backend be;
        private final List<Storage> owned = new ArrayList<>();

        On(Backend be) {
            this.be = be;
        }

        /** A storage holding a copy of data (null stays null). */
        public Storage in(float[] data) {
            if (data == null) return null;
            return own(be.upload(data));
        }

        /** A fresh output of n elements, every one NaN, so that an element the kernel does not write shows. */
        public Storage out(long n) {
            Storage s = own(be.allocateUninitialized(n));
            be.fill(s, Float.NaN);
            return s;
        }

        /** The whole storage's contents (null stays null). */
        public float[] get(Storage s) {
            return s == null ? null : be.download(s, 0, (int) s.size());
        }

        Storage own(Storage s) {
            owned.add(s);
            return s;
        }

        @Override
        public void close() {
            for (Storage s : owned) s.free();
        }
    }

    /** Runs f with a fresh {@link On} for be and frees its storages afterwards. */
    public static <T> T on(Backend be, Function<On, T> f) {
        try (On o = new On(be)) {
            return f.apply(o);
        }
    }

    /** The reference backend's result of one kernel call and the backend's under test. */
    public record Pair<T>(T ref, T got) {}

    /** Runs f as {@link #on} does, first on the reference backend, then on be, each given its backend and a fresh {@link On}. */
    public static <T> Pair<T> onBoth(Backend be, BiFunction<Backend, On, T> f) {
        Backend ref = Backends.reference();
        T r = on(ref, o -> f.apply(ref, o));
        return new Pair<>(r, on(be, o -> f.apply(be, o)));
    }

    // ---- convolution --------------------------------------------------------------------------------------------------

    /** A convolution with padding p and stride s on every axis (the output size follows); 2D when d = kd = 1. */
    public static ConvGeometry conv(int n, int cIn, int d, int h, int w, int cOut, int kd, int kh, int kw, int sd, int sh, int sw,
                                    int pd, int ph, int pw) {
        int od = (d + 2 * pd - kd) / sd + 1, oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
        return new ConvGeometry(n, cIn, d, h, w, cOut, kd, kh, kw, sd, sh, sw, pd, ph, pw, od, oh, ow);
    }

    /** A 3×3×3 'same' convolution. */
    public static ConvGeometry same3(int n, int cIn, int d, int h, int w, int cOut) {
        return conv(n, cIn, d, h, w, cOut, 3, 3, 3, 1, 1, 1, 1, 1, 1);
    }

    /** y of conv3d(x, w) + b (b may be null). */
    public static float[] conv3d(Backend be, ConvGeometry g, float[] x, float[] w, float[] b) {
        return on(be, o -> {
            Storage y = o.out(g.outputSize());
            be.conv3d(g, o.in(x), o.in(w), o.in(b), y);
            return o.get(y);
        });
    }

    /** The fused conv → ReLU (bias may be null). */
    public static float[] conv3dRelu(Backend be, ConvGeometry g, float[] x, float[] w, float[] b) {
        return on(be, o -> {
            Storage y = o.out(g.outputSize());
            be.conv3dRelu(g, o.in(x), o.in(w), o.in(b), y);
            return o.get(y);
        });
    }

    /** dx of the convolution. */
    public static float[] conv3dBackwardData(Backend be, ConvGeometry g, float[] dy, float[] w) {
        return on(be, o -> {
            Storage dx = o.out(g.inputSize());
            be.conv3dBackwardData(g, o.in(dy), o.in(w), dx);
            return o.get(dx);
        });
    }

    /** {dw, dbias}; dbias is null (and not asked of the kernel) unless withBias. */
    public static float[][] conv3dBackwardWeight(Backend be, ConvGeometry g, float[] x, float[] dy, boolean withBias) {
        return on(be, o -> {
            Storage dw = o.out(g.weightSize()), db = withBias ? o.out(g.cOut()) : null;
            be.conv3dBackwardWeight(g, o.in(x), o.in(dy), dw, db);
            return new float[][] {o.get(dw), o.get(db)};
        });
    }
}
