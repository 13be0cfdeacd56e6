package dev.deepanat.data;

import dev.deepanat.common.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The subjects of a data folder: its sub-folders that hold a prepared subject ({@code <sj>/<sj>_diff_meanb0.nii.gz}),
 * sorted by name, or a selection of them given as "a,b,c" or as a text file with one name per line.
 */
public final class Cohort {
    private Cohort() {}

    public static List<String> all(Path data) {
        if (!Files.isDirectory(data)) throw new UserError(data + ": no such data folder");
        try (Stream<Path> s = Files.list(data)) {
            List<String> ids = s.filter(p -> Files.isRegularFile(new SubjectLayout(p, p.getFileName().toString()).channel(0)))
                    .map(p -> p.getFileName().toString()).sorted().toList();
            if (ids.isEmpty()) throw new UserError(data + ": no subject folders (expected " + data + "/<sj>/<sj>_diff_meanb0.nii.gz ...)");
            return ids;
        } catch (IOException e) {
            throw new UserError(data + ": cannot list the data folder (" + e.getMessage() + ")", e);
        }
    }

    /** The subjects named by {@code spec} ("a,b,c" or a file of names), checked to exist in {@code data}. */
    public static List<String> select(Path data, String spec) {
        if (spec == null || spec.isBlank()) return all(data);
        List<String> names = new ArrayList<>();
        Path listFile = Path.of(spec);
        if (!spec.contains(",") && Files.isRegularFile(listFile)) {
            try {
                for (String line : Files.readAllLines(listFile)) if (!line.isBlank() && !line.startsWith("#")) names.add(line.trim());
            } catch (IOException e) {
                throw new UserError(listFile + ": cannot read the subject list (" + e.getMessage() + ")", e);
            }
        } else {
            names.addAll(Arrays.stream(spec.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
        }
        List<String> known = all(data);
        for (String n : names)
            if (!known.contains(n)) throw new UserError(data.resolve(n) + ": no prepared subject '" + n + "' (known: " + known + ")");
        if (names.isEmpty()) throw new UserError("'" + spec + "': names no subject");
        return List.copyOf(new java.util.LinkedHashSet<>(names));
    }
}
