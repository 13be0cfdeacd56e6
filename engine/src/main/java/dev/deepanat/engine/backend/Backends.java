package dev.deepanat.engine.backend;

import dev.deepanat.engine.backend.checked.CheckedBackend;
import dev.deepanat.engine.backend.reference.ReferenceBackend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The backends found at start-up: the reference and the checked backend, always, plus every available
 * {@link Backend} provider on the class path (module {@code kernels}: cpu, cuda). There is no settable process
 * default: library code takes its backend from its inputs or an explicit argument, and the CLI's {@code --device}
 * chooses one. Tensors made without a backend go to {@link #host()}, the fastest CPU backend.
 */
public final class Backends {
    /** The providers found but not available here, by name, with their one-line reason. */
    private static final java.util.Map<String, String> UNAVAILABLE = new java.util.LinkedHashMap<>();
    private static final List<Backend> ALL = discover();
    private static final Backend HOST = ALL.stream().filter(b -> b.device().kind().equals("cpu")).findFirst()
            .orElse(ReferenceBackend.INSTANCE);

    private Backends() {}

    private static List<Backend> discover() {
        List<Backend> found = new ArrayList<>();
        found.add(ReferenceBackend.INSTANCE);
        found.add(new CheckedBackend());
        for (ServiceLoader.Provider<Backend> p : ServiceLoader.load(Backend.class).stream().toList()) {
            try {
                Backend b = p.get();
                if (b.available()) {
                    if (found.stream().noneMatch(f -> f.name().equals(b.name()))) found.add(b);
                } else {
                    // A backend that cannot start here (no driver, no device) is absent; its reason is kept for --device.
                    UNAVAILABLE.put(b.name(), String.valueOf(b.unavailableReason()));
                }
            } catch (RuntimeException | LinkageError e) {
                UNAVAILABLE.put(p.type().getSimpleName(), String.valueOf(e.getMessage()));
                System.err.println("deepanat: backend " + p.type().getName() + " unavailable: " + e.getMessage());
            }
        }
        found.sort(Comparator.comparingInt(Backend::priority).reversed());
        return List.copyOf(found);
    }

    /** Every available backend, highest priority first. */
    public static List<Backend> all() {
        return ALL;
    }

    public static Backend reference() {
        return ReferenceBackend.INSTANCE;
    }

    /** The host's backend: the highest-priority CPU backend (cpu when the kernels module is present). */
    public static Backend host() {
        return HOST;
    }

    /** The best backend of a device kind ("cpu", "cuda"), or null when there is none. */
    public static Backend best(String deviceKind) {
        return ALL.stream().filter(b -> b.device().kind().equals(deviceKind)).findFirst().orElse(null);
    }

    /** The backends found but unavailable here, by name, each with the one line saying why (e.g. "cuda" → "cuDNN not found; ..."). */
    public static java.util.Map<String, String> unavailable() {
        return java.util.Collections.unmodifiableMap(UNAVAILABLE);
    }

    /** The backend with this name ("reference", "cpu", "checked", "cuda"), or an error listing those available. */
    public static Backend get(String name) {
        for (Backend b : ALL) if (b.name().equals(name)) return b;
        if (UNAVAILABLE.containsKey(name))
            throw new IllegalArgumentException("backend '" + name + "' is unavailable here: " + UNAVAILABLE.get(name));
        throw new IllegalArgumentException("unknown or unavailable backend '" + name + "'; available: "
                + ALL.stream().map(Backend::name).toList());
    }
}
