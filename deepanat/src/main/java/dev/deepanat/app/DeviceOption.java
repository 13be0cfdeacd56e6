package dev.deepanat.app;

import dev.deepanat.common.UserError;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;

/**
 * {@code --device NAME}: a backend by name ("cuda", "cpu", "reference", "checked"). "auto" (or none) takes CUDA when a
 * CUDA backend is present and available, else the fastest CPU backend. Asking for cuda where it cannot run is one line
 * saying why ("--device cuda: backend 'cuda' is unavailable here: cuDNN not found; searched: ...").
 */
final class DeviceOption {
    private DeviceOption() {}

    static Backend pick(String name) {
        // The process's device is a CLI choice only: library code gets the backend passed in.
        if (name == null || name.isBlank() || name.equals("auto")) return auto();
        try {
            return Backends.get(name);
        } catch (IllegalArgumentException e) {
            throw new UserError("--device " + name + ": " + e.getMessage());
        }
    }

    /** CUDA when available, else the host's fastest CPU backend. */
    static Backend auto() {
        Backend cuda = Backends.best("cuda");
        return cuda != null ? cuda : Backends.host();
    }
}
