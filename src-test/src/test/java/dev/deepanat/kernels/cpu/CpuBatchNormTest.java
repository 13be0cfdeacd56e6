package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Conformance;
import dev.deepanat.engine.backend.Backends;

import dev.deepanat.engine.Parallel;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.BatchNormGeometry;
import dev.deepanat.engine.backend.Storage;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;



import static dev.deepanat.engine.Conformance.close;
import static dev.deepanat.engine.Conformance.exact;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The cpu batch-norm kernels against the reference: odd channel counts, planes shorter than a vector, vector tails and
 * more than one block per plane, with and without gamma / beta / running statistics, backward with every subset of
 * outputs; outputs are pre-filled with NaN so that an element left unwritten fails. And the cpu results do not depend
 * on the thread count.
 */
class CpuBatchNormTest {
    static final Backend CPU = Backends.get("cpu");
    static final Backend REF = Backends.reference();

    static final int[] NS = {1, 2, 3}, CS = {1, 3, 8, 17};
    static final long[] SPATIAL = {1, 2, 7, 16, 17, 33, 4096 + 5};
    static final float MOMENTUM = 0.1f, EPS = 1e-5f;

    /** Inputs of one case: x with a per-channel offset (so centering matters), the parameters and running statistics. */
    record Case(BatchNormGeometry g, float[] x, float[] dy, float[] gamma, float[] beta, float[] rm, float[] rv) {
        static Case random(BatchNormGeometry g, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            int numel = (int) g.numel(), c = g.c();
            float[] x = Conformance.random(rng, numel), dy = Conformance.random(rng, numel);
            float[] off = Conformance.random(rng, c), sc = Conformance.random(rng, c);
            for (int j = 0; j < numel; j++) {
                int ch = (int) (j / g.spatial() % c);
                x[j] = x[j] * (1 + 2 * Math.abs(sc[ch])) + 4 * off[ch];
            }
            float[] gamma = Conformance.random(rng, c), beta = Conformance.random(rng, c), rm = Conformance.random(rng, c);
            float[] rv = Conformance.random(rng, c);
            for (int ch = 0; ch < c; ch++) rv[ch] = 0.2f + Math.abs(rv[ch]);
            return new Case(g, x, dy, gamma, beta, rm, rv);
        }
    }

    /** y, saveMean, saveInvStd, running mean, running var (the last two null without running statistics). */
    static float[][] train(Backend be, Case k, boolean affine, boolean running) {
        BatchNormGeometry g = k.g;
        int numel = (int) g.numel(), c = g.c();
        Storage x = be.upload(k.x), y = nan(be, numel), sm = nan(be, c), si = nan(be, c);
        Storage gamma = affine ? be.upload(k.gamma) : null, beta = affine ? be.upload(k.beta) : null;
        Storage rm = running ? be.upload(k.rm) : null, rv = running ? be.upload(k.rv) : null;
        be.batchNormForwardTraining(g, MOMENTUM, EPS, x, gamma, beta, rm, rv, y, sm, si);
        return new float[][] {be.download(y, 0, numel), be.download(sm, 0, c), be.download(si, 0, c),
                running ? be.download(rm, 0, c) : null, running ? be.download(rv, 0, c) : null};
    }

    static float[] infer(Backend be, Case k, boolean affine) {
        BatchNormGeometry g = k.g;
        int numel = (int) g.numel();
        Storage y = nan(be, numel);
        be.batchNormForwardInference(g, EPS, be.upload(k.x), affine ? be.upload(k.gamma) : null,
                affine ? be.upload(k.beta) : null, be.upload(k.rm), be.upload(k.rv), y);
        return be.download(y, 0, numel);
    }

    /** dx, dgamma, dbeta (null where not asked for: bit 0 dx, bit 1 dgamma, bit 2 dbeta). */
    static float[][] backward(Backend be, Case k, boolean affine, float[] saveMean, float[] saveInvStd, int outputs) {
        BatchNormGeometry g = k.g;
        int numel = (int) g.numel(), c = g.c();
        Storage dx = (outputs & 1) != 0 ? nan(be, numel) : null;
        Storage dg = (outputs & 2) != 0 ? nan(be, c) : null, db = (outputs & 4) != 0 ? nan(be, c) : null;
        be.batchNormBackward(g, be.upload(k.x), be.upload(k.dy), affine ? be.upload(k.gamma) : null,
                be.upload(saveMean), be.upload(saveInvStd), dx, dg, db);
        return new float[][] {dx == null ? null : be.download(dx, 0, numel), dg == null ? null : be.download(dg, 0, c),
                db == null ? null : be.download(db, 0, c)};
    }

    static Storage nan(Backend be, int n) {
        Storage s = be.allocateUninitialized(n);
        be.fill(s, Float.NaN);
        return s;
    }

    @Test
    void matchesTheReference() {
        long seed = 0;
        for (int n : NS)
            for (int c : CS)
                for (long spatial : SPATIAL) {
                    BatchNormGeometry g = new BatchNormGeometry(n, c, spatial);
                    Case k = Case.random(g, seed++);
                    for (boolean affine : new boolean[] {false, true}) {
                        String at = g + (affine ? " affine" : " plain");
                        for (boolean running : new boolean[] {false, true}) {
                            float[][] r = train(REF, k, affine, running), p = train(CPU, k, affine, running);
                            String[] names = {"y", "saveMean", "saveInvStd", "runningMean", "runningVar"};
                            for (int j = 0; j < names.length; j++)
                                if (r[j] != null) close("train " + names[j] + " " + at + (running ? " running" : ""), r[j], p[j]);
                        }
                        close("inference y " + at, infer(REF, k, affine), infer(CPU, k, affine));
                        float[][] fwd = train(REF, k, affine, false);
                        for (int outputs = 0; outputs < 8; outputs++) {
                            float[][] r = backward(REF, k, affine, fwd[1], fwd[2], outputs);
                            float[][] p = backward(CPU, k, affine, fwd[1], fwd[2], outputs);
                            String[] names = {"dx", "dgamma", "dbeta"};
                            for (int j = 0; j < 3; j++) {
                                assertEquals(r[j] == null, p[j] == null);
                                if (r[j] != null) close("backward " + names[j] + " " + at + " outputs " + outputs, r[j], p[j]);
                            }
                        }
                    }
                }
    }

    /** A large mean against a small spread: the variance must not come from E[x²] − mean² in float. */
    @Test
    void largeOffsetKeepsTheVariance() {
        BatchNormGeometry g = new BatchNormGeometry(2, 3, 5000);
        Case k = Case.random(g, 99);
        for (int j = 0; j < k.x.length; j++) k.x[j] = 1000 + k.x[j] * 0.01f;
        float[][] r = train(REF, k, true, true), p = train(CPU, k, true, true);
        String[] names = {"y", "saveMean", "saveInvStd", "runningMean", "runningVar"};
        for (int j = 0; j < names.length; j++) close("offset " + names[j], r[j], p[j]);
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        String before = System.getProperty("deepanat.threads");
        try {
            // Each splits into several parallel chunks: many blocks per plane, many short planes.
            BatchNormGeometry[] gs = {new BatchNormGeometry(2, 3, 40_003), new BatchNormGeometry(3, 17, 4096 + 5),
                    new BatchNormGeometry(3, 512, 33)};
            long seed = 7;
            for (BatchNormGeometry g : gs) {
                Case k = Case.random(g, seed++);
                float[][] first = null;
                for (int t : new int[] {1, 2, 3}) {
                    System.setProperty("deepanat.threads", Integer.toString(t));
                    assertEquals(t, Parallel.threads());
                    float[][] fwd = train(CPU, k, true, true);
                    float[][] bwd = backward(CPU, k, true, fwd[1], fwd[2], 7);
                    float[][] all = {fwd[0], fwd[1], fwd[2], fwd[3], fwd[4], infer(CPU, k, true), bwd[0], bwd[1], bwd[2]};
                    if (first == null) first = all;
                    else for (int j = 0; j < all.length; j++) exact("output " + j + " with " + t + " threads " + g, first[j], all[j]);
                }
            }
        } finally {
            if (before == null) System.clearProperty("deepanat.threads");
            else System.setProperty("deepanat.threads", before);
        }
    }
}
