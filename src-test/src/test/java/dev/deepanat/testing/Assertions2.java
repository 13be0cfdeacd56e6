package dev.deepanat.testing;

import dev.deepanat.engine.Shapes;
import dev.deepanat.engine.Tensor;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Numeric comparisons for tests: max-norm relative error, so that one bad element fails the test. */
public final class Assertions2 {
    private Assertions2() {}

    /** max|a − b| ≤ rel · max|expected| (+ a tiny absolute floor for all-zero references). */
    public static void assertClose(float[] expected, float[] actual, double rel, String what) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + " != " + expected.length);
        double maxRef = 0, maxErr = 0;
        int worst = -1;
        for (int i = 0; i < expected.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
            double e = Math.abs((double) expected[i] - actual[i]);
            if (!(e <= maxErr)) { maxErr = e; worst = i; }
        }
        double tol = rel * Math.max(maxRef, 1e-6);
        if (!(maxErr <= tol))
            fail(String.format("%s: max error %.3g at %d (expected %g, got %g) exceeds %.1g relative to max |ref| %.3g",
                    what, maxErr, worst, expected[worst], actual[worst], rel, maxRef));
    }

    public static void assertClose(Tensor expected, Tensor actual, double rel, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + Shapes.str(actual.shape())
                + " vs " + Arrays.toString(expected.shape()));
        assertClose(expected.toArray(), actual.toArray(), rel, what);
    }
}
