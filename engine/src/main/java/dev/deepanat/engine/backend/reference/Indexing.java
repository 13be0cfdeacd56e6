package dev.deepanat.engine.backend.reference;

import dev.deepanat.engine.backend.View;

/** Multi-index helpers for the reference backend's generic strided loops. */
final class Indexing {
    private Indexing() {}

    static long offset(View v, int[] idx) {
        long o = v.offset();
        int[] st = v.strides();
        for (int k = 0; k < idx.length; k++) o += (long) idx[k] * st[k];
        return o;
    }

    /** Advances a row-major multi-index by one. */
    static void next(int[] idx, int[] shape) {
        for (int k = idx.length - 1; k >= 0; k--) {
            if (++idx[k] < shape[k]) return;
            idx[k] = 0;
        }
    }
}
