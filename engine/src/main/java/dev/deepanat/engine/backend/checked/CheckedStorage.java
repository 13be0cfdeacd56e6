package dev.deepanat.engine.backend.checked;

import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Storage;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Off-heap memory of the checked backend: one arena per storage, so that freeing it really unmaps it. */
final class CheckedStorage extends Storage {
    final Arena arena;
    final MemorySegment segment;
    /** Where it was allocated (the first frames outside the engine's internals), for leak reports. */
    final String site;

    CheckedStorage(Backend backend, long n, String site) {
        super(backend, n);
        this.arena = Arena.ofShared();
        this.segment = arena.allocate(4 * Math.max(1, n), 64);
        this.site = site;
    }
}
