package dev.deepanat.engine;

import dev.deepanat.engine.io.Safetensors;
import dev.deepanat.engine.nn.Conv3d;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import dev.deepanat.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir Path dir;

    @Test
    void modelRoundTripKeepsEveryTensorAndTheConfig() throws IOException {
        UNet3d a = new UNet3d(new UNetConfig(3, 1, 4, 3, true), new SplittableRandom(1));
        Path f = dir.resolve("model.safetensors");
        Safetensors.save(f, a.stateDict(), Map.of("config", "{\"levels\":3}", "format", "pt"));
        Safetensors.Checkpoint c = Safetensors.load(f);
        assertEquals("{\"levels\":3}", c.metadata().get("config"));
        assertEquals(a.stateDict().keySet(), c.tensors().keySet());
        UNet3d b = new UNet3d(new UNetConfig(3, 1, 4, 3, true), new SplittableRandom(2));
        b.loadStateDict(c.tensors());
        for (var e : a.stateDict().entrySet()) {
            assertArrayEquals(e.getValue().shape(), b.stateDict().get(e.getKey()).shape(), e.getKey());
            assertArrayEquals(e.getValue().toArray(), b.stateDict().get(e.getKey()).toArray(), e.getKey());
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void headerIsPaddedJsonAfterALittleEndianLength() throws IOException {
        Path f = dir.resolve("t.safetensors");
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        Safetensors.save(f, m, Map.of());
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        String header = new String(bytes, 8, (int) n).trim();
        assertTrue(header.contains("\"dtype\":\"F32\"") && header.contains("\"shape\":[2,3]") && header.contains("[0,24]"), header);
        assertEquals(8 + n + 24, bytes.length);
        assertEquals(6f, ByteBuffer.wrap(bytes, (int) (8 + n + 20), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
    }

    @Test
    void readsAStateDictWrittenFromPyTorch() throws IOException {
        Safetensors.Checkpoint c = Safetensors.load(Golden.path("torch/checkpoint_conv3d.safetensors"));
        Conv3d conv = new Conv3d(2, 3, 3, new SplittableRandom(0));
        conv.loadStateDict(c.tensors());
        assertArrayEquals(new int[] {3, 2, 3, 3, 3}, conv.stateDict().get("weight").shape());
        assertArrayEquals(c.tensors().get("weight").toArray(), conv.stateDict().get("weight").toArray());
        assertTrue(c.metadata().get("config").contains("\"out\": 3"));
    }

    @Test
    void corruptFilesGiveAnErrorNamingTheFile() throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> Safetensors.load(f));
        assertTrue(e.getMessage().contains("bad.safetensors") && e.getMessage().contains("too short"), e.getMessage());
        byte[] lying = new byte[16];
        ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        Files.write(f, lying);
        e = assertThrows(IOException.class, () -> Safetensors.load(f));
        assertTrue(e.getMessage().contains("header length"), e.getMessage());
    }

    @Test
    void loadingTheWrongShapeNamesTheEntry() {
        Conv3d conv = new Conv3d(2, 3, 3, new SplittableRandom(0));
        var e = assertThrows(IllegalArgumentException.class,
                () -> conv.loadStateDict(Map.of("weight", Tensor.zeros(3, 2, 1, 1, 1), "bias", Tensor.zeros(3))));
        assertTrue(e.getMessage().contains("'weight'") && e.getMessage().contains("[3, 2, 3, 3, 3]"), e.getMessage());
        assertFalse(e.getMessage().isEmpty());
    }
}
