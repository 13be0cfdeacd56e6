package dev.deepanat.testing;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.io.Safetensors;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;

/** Golden files under src-test/src/test/resources/golden, produced by the scripts committed beside them. */
public final class Golden {
    private Golden() {}

    public static Path path(String relative) {
        URL url = Golden.class.getResource("/golden/" + relative);
        if (url == null) throw new IllegalStateException("missing golden file golden/" + relative);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tensors of golden/torch/NAME.safetensors on a backend. */
    public static Map<String, Tensor> torch(String name, Backend b) {
        try {
            return Safetensors.load(path("torch/" + name + ".safetensors"), b).tensors();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
