package dev.deepanat.diffusion;

import dev.deepanat.common.UserError;
import dev.deepanat.nifti.Nifti;
import dev.deepanat.nifti.NiftiImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A set of output files that appears all together or not at all: everything is written into a hidden staging
 * folder inside the output folder, then moved into place by rename. If anything fails, the staging folder is
 * removed, and so is the output folder when this run created it.
 */
public final class OutputSet {
    private final Map<String, NiftiImage> images = new LinkedHashMap<>();
    private final Map<String, String> texts = new LinkedHashMap<>();

    public OutputSet add(String fileName, NiftiImage image) { images.put(fileName, image); return this; }

    public OutputSet addText(String fileName, String content) { texts.put(fileName, content); return this; }

    /** @return the files written, in order */
    public List<Path> commit(Path outDir) {
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) throw new UserError(outDir + ": exists and is not a folder");
        boolean created = !Files.exists(outDir);
        Path staging = null;
        List<Path> moved = new ArrayList<>();
        try {
            Files.createDirectories(outDir);
            staging = Files.createTempDirectory(outDir, ".deepanat-staging-");
            for (var e : images.entrySet()) Nifti.write(staging.resolve(e.getKey()), e.getValue());
            for (var e : texts.entrySet()) Files.writeString(staging.resolve(e.getKey()), e.getValue());
            List<String> names = new ArrayList<>(images.keySet());
            names.addAll(texts.keySet());
            for (String name : names) {
                Path target = outDir.resolve(name);
                Files.move(staging.resolve(name), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                moved.add(target);
            }
            deleteTree(staging);
            return moved;
        } catch (IOException | RuntimeException e) {
            for (Path p : moved) deleteQuietly(p);
            if (staging != null) deleteTree(staging);
            if (created) deleteTree(outDir);
            if (e instanceof UserError ue) throw ue;
            throw new UserError(outDir + ": cannot write outputs (" + e.getMessage() + ")", e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(OutputSet::deleteQuietly);
        } catch (IOException ignored) {
            // best effort: nothing more can be done about a folder we cannot list
        }
    }

    private static void deleteQuietly(Path p) {
        try { Files.deleteIfExists(p); } catch (IOException ignored) { /* best effort */ }
    }
}
