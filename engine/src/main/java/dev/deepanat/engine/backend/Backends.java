package dev.deepanat.engine.backend;

import dev.deepanat.engine.backend.reference.ReferenceBackend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The backends found at start-up: the reference backend, always, plus every available {@link Backend} provider on the
 * class path (module {@code kernels}). The default is the highest-priority CPU backend, unless the system property
 * {@code deepanat.backend} names another.
 */
public final class Backends {
    private static final List<Backend> ALL = discover();
    private static volatile Backend defaultBackend = pickDefault();

    private Backends() {}

    private static List<Backend> discover() {
        List<Backend> found = new ArrayList<>();
        found.add(ReferenceBackend.INSTANCE);
        for (ServiceLoader.Provider<Backend> p : ServiceLoader.load(Backend.class).stream().toList()) {
            try {
                Backend b = p.get();
                if (b.available() && found.stream().noneMatch(f -> f.name().equals(b.name()))) found.add(b);
            } catch (RuntimeException | LinkageError e) {
                // A backend that cannot start here (no driver, no device) is simply absent.
                System.err.println("deepanat: backend " + p.type().getName() + " unavailable: " + e.getMessage());
            }
        }
        found.sort(Comparator.comparingInt(Backend::priority).reversed());
        return List.copyOf(found);
    }

    private static Backend pickDefault() {
        String wanted = System.getProperty("deepanat.backend");
        if (wanted != null && !wanted.isBlank()) return get(wanted);
        return ALL.stream().filter(b -> b.device().kind().equals("cpu")).findFirst().orElse(ReferenceBackend.INSTANCE);
    }

    /** Every available backend, highest priority first. */
    public static List<Backend> all() {
        return ALL;
    }

    public static Backend reference() {
        return ReferenceBackend.INSTANCE;
    }

    /** The backend with this name ("reference", "cpu", "cuda"), or an error listing those available. */
    public static Backend get(String name) {
        for (Backend b : ALL) if (b.name().equals(name)) return b;
        throw new IllegalArgumentException("unknown or unavailable backend '" + name + "'; available: "
                + ALL.stream().map(Backend::name).toList());
    }

    public static Backend defaultBackend() {
        return defaultBackend;
    }

    /** Sets the backend that new tensors use when none is named. */
    public static void setDefault(Backend b) {
        defaultBackend = b;
    }
}
