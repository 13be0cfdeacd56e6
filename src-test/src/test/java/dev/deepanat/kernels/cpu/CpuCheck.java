package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Helpers shared by the cpu-backend tests: the two backends, random data and the norm-wise comparison. */
final class CpuCheck {
    static final Backend CPU = Backends.get("cpu");
    static final Backend REF = Backends.reference();

    private CpuCheck() {}

    static float[] random(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble() * 2 - 1);
        return a;
    }

    /** max|a − ref| ≤ rel · max|ref| + abs, with the worst element named on failure. */
    static void close(String what, float[] ref, float[] a, double rel, double abs) {
        assertEquals(ref.length, a.length, what + ": length");
        double maxRef = 0, maxErr = 0;
        int worst = -1;
        for (int i = 0; i < ref.length; i++) {
            if (ref[i] == a[i] || Float.isNaN(ref[i]) && Float.isNaN(a[i])) continue;
            if (Float.isFinite(ref[i])) maxRef = Math.max(maxRef, Math.abs(ref[i]));
            double e = Math.abs((double) a[i] - ref[i]);
            if (Double.isNaN(e) && !(Float.isNaN(a[i]) && Float.isNaN(ref[i]))) fail(what + ": NaN at " + i + " (ref " + ref[i] + ", got " + a[i] + ")");
            if (e > maxErr) {
                maxErr = e;
                worst = i;
            }
        }
        double tol = rel * maxRef + abs;
        if (!(maxErr <= tol))
            fail(what + ": max error " + maxErr + " > " + tol + " at " + worst + " (ref " + ref[worst] + ", got " + a[worst] + ")");
    }

    static void close(String what, float[] ref, float[] a) {
        close(what, ref, a, 1e-5, 1e-6);
    }

    static void exact(String what, float[] ref, float[] a) {
        assertEquals(ref.length, a.length, what + ": length");
        for (int i = 0; i < ref.length; i++)
            assertTrue(Float.compare(ref[i], a[i]) == 0 || ref[i] == a[i],
                    what + ": element " + i + " ref " + ref[i] + " got " + a[i]);
    }
}
