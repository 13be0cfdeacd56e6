package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.backend.Storage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * What is particular to the cpu backend. Its kernels are checked against the reference backend by the conformance suite
 * that every backend runs ({@code dev.deepanat.engine.BackendConformanceTest}); thread counts and determinism have their
 * own tests here.
 */
class CpuBackendTest {
    @Test
    void isTheHostBackend() {
        Backend cpu = Backends.get("cpu");
        assertEquals("cpu", cpu.name());
        assertSame(cpu, Backends.host());
        Storage s = cpu.allocate(3);
        assertSame(cpu, s.backend());
        s.free();
    }
}
