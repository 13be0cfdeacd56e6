package dev.deepanat.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.deepanat.common.AtomicFiles;
import dev.deepanat.common.BuildInfo;
import dev.deepanat.common.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a result came from: the version, the command line, the device, when it started and ended. Written beside a
 * run ({@code provenance.json}) so that {@code deepanat report} can show it later.
 */
public record Provenance(String version, String command, String device, String started, String finished) {
    public static final String FILE = "provenance.json";
    private static final Gson JSON = new GsonBuilder().setPrettyPrinting().create();

    /** Started at {@code started}, finished now. */
    public static Provenance of(String command, String device, Instant started) {
        return new Provenance(BuildInfo.version(), command, device, started.toString(), Instant.now().toString());
    }

    public void write(Path dir) {
        AtomicFiles.writeString(dir.resolve(FILE), JSON.toJson(this) + "\n");
    }

    /** The provenance stored in dir, or null when there is none (a run made before reports existed). */
    public static Provenance read(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) return null;
        try {
            return JSON.fromJson(Files.readString(f), Provenance.class);
        } catch (IOException | JsonParseException e) {
            throw new UserError(f + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** The lines of the report's "Run" table. */
    public Map<String, String> lines() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("command", command);
        m.put("device", device);
        m.put("started", started);
        m.put("finished", finished);
        try {
            m.put("wall time", String.format(java.util.Locale.ROOT, "%.1f s",
                    Duration.between(Instant.parse(started), Instant.parse(finished)).toMillis() / 1000.0));
        } catch (RuntimeException ignored) {
            // a hand-edited file: show the times as they are
        }
        m.values().removeIf(v -> v == null);
        return m;
    }
}
