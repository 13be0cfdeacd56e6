package dev.deepanat.app;

import dev.deepanat.common.UserError;
import dev.deepanat.engine.backend.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --device}: auto takes cuda where it runs and the fastest CPU backend elsewhere; cuda where it cannot run is one line saying why. */
class DeviceOptionTest {
    @Test
    void autoTakesCudaWhereAvailableElseTheHost() {
        boolean cuda = Backends.best("cuda") != null;
        assertEquals(cuda ? "cuda" : Backends.host().name(), DeviceOption.pick("auto").name());
        assertSame(DeviceOption.pick("auto"), DeviceOption.pick(null));
        assertSame(Backends.get("cpu"), DeviceOption.pick("cpu"));
    }

    @Test
    void cudaWhereItCannotRunSaysWhy() {
        String why = Backends.unavailable().get("cuda");
        if (why == null) return; // cuda runs here (or is not on the class path): nothing to explain
        UserError e = assertThrows(UserError.class, () -> DeviceOption.pick("cuda"));
        assertTrue(e.getMessage().startsWith("--device cuda: backend 'cuda' is unavailable here: "), e.getMessage());
        assertTrue(e.getMessage().endsWith(why), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        String[] version = CliTest.run(0, "--version");
        assertTrue(version[0].contains("cuda unavailable: " + why), version[0]);
        assertTrue(version[0].contains("--device auto = cpu"), version[0]);
    }

    @Test
    void anUnknownDeviceListsTheAvailableOnes() {
        UserError e = assertThrows(UserError.class, () -> DeviceOption.pick("tpu"));
        assertTrue(e.getMessage().contains("available: ["), e.getMessage());
    }
}
