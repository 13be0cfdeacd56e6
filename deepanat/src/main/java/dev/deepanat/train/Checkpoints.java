package dev.deepanat.train;

import com.google.gson.Gson;
import dev.deepanat.engine.io.Safetensors;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/** U-Net checkpoints: the state dict in safetensors, the {@link UNetConfig} as JSON under metadata key "config". */
public final class Checkpoints {
    private Checkpoints() {}

    public static void save(Path path, UNet3d net) throws IOException {
        Safetensors.save(path, net.stateDict(), Map.of("config", new Gson().toJson(net.config()), "format", "pt",
                "model", "deepanat.UNet3d"));
    }

    public static UNet3d load(Path path) throws IOException {
        Safetensors.Checkpoint c = Safetensors.load(path);
        String json = c.metadata().get("config");
        if (json == null) throw new IOException(path + ": no 'config' in the safetensors metadata; not a DeepAnat U-Net checkpoint");
        UNet3d net = new UNet3d(new Gson().fromJson(json, UNetConfig.class), new SplittableRandom(0));
        net.loadStateDict(c.tensors());
        return net;
    }
}
