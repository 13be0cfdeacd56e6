package dev.deepanat.app;

import dev.deepanat.common.UserError;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;

/** {@code --device NAME}: a backend by name ("cpu", "reference", "checked"; "auto" or none = the fastest CPU backend). */
final class DeviceOption {
    private DeviceOption() {}

    static Backend pick(String name) {
        // The process's device is a CLI choice only: library code gets the backend passed in.
        if (name == null || name.isBlank() || name.equals("auto")) return Backends.host();
        try {
            return Backends.get(name);
        } catch (IllegalArgumentException e) {
            throw new UserError("--device " + name + ": " + e.getMessage());
        }
    }
}
