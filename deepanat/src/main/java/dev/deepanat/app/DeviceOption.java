package dev.deepanat.app;

import dev.deepanat.common.UserError;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;

/** {@code --device NAME}: a backend by name ("cpu", "reference"; "auto" or none = the fastest found). */
final class DeviceOption {
    private DeviceOption() {}

    static Backend pick(String name) {
        if (name == null || name.isBlank() || name.equals("auto")) return Backends.defaultBackend();
        try {
            Backend b = Backends.get(name);
            Backends.setDefault(b); // the process default is a CLI choice: library code gets the backend passed in
            return b;
        } catch (IllegalArgumentException e) {
            throw new UserError("--device " + name + ": " + e.getMessage());
        }
    }
}
