package dev.deepanat.kernels.cuda;

import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cuda backend is found by ServiceLoader everywhere; where it cannot run it says why in one line and stays out of the way. */
class CudaAvailabilityTest {
    @Test
    void isAServiceProvider() {
        assertTrue(ServiceLoader.load(Backend.class).stream().anyMatch(p -> p.type() == CudaBackend.class));
    }

    @Test
    void availableOrOneLineSayingWhy() {
        CudaBackend b = new CudaBackend();
        assertEquals("cuda", b.name());
        assertEquals("cuda", b.device().kind());
        if (b.available()) {
            assertNull(b.unavailableReason());
            assertTrue(Backends.all().stream().anyMatch(x -> x.name().equals("cuda")));
            System.out.println("cuda: " + b.description());
            return;
        }
        String why = b.unavailableReason();
        System.out.println("cuda unavailable here: " + why);
        assertNotNull(why);
        assertEquals(1, why.lines().count(), why);
        assertTrue(why.matches("(CUDA driver|NVRTC|cuBLAS|cuDNN) not found; searched: .*|.*failed: .*|no CUDA device.*|.*cannot load.*"), why);
        // the CPU backends are unaffected, and asking for cuda says why
        assertTrue(Backends.all().stream().noneMatch(x -> x.name().equals("cuda")));
        assertEquals("cpu", Backends.host().name());
        assertEquals(why, Backends.unavailable().get("cuda"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.get("cuda"));
        assertTrue(e.getMessage().contains(why), e.getMessage());
        // kernels refuse to run, naming the reason, rather than failing obscurely
        CudaException k = assertThrows(CudaException.class, () -> b.allocate(4));
        assertTrue(k.getMessage().contains(why));
        assertFalse(b.memoryStats().liveBytes() != 0);
        b.synchronize(); // harmless
    }
}
