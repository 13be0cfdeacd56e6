package dev.deepanat.bids;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepanat.common.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A raw BIDS dataset as a BIDS App reads it: {@code dataset_description.json}, the {@code sub-<label>} folders,
 * optional {@code ses-<label>} folders, and in each {@code dwi/<name>_dwi.nii[.gz]} with {@code <name>_dwi.bval} and
 * {@code .bvec} beside it (or, by BIDS inheritance, {@code dwi.bval}/{@code dwi.bvec} at the dataset's root), and
 * {@code anat/*_T1w.nii[.gz]}.
 */
public final class BidsDataset {
    private final Path root;
    private final JsonObject description;
    private final String descriptionProblem;
    private final List<String> subjects;

    private BidsDataset(Path root, JsonObject description, String descriptionProblem, List<String> subjects) {
        this.root = root;
        this.description = description;
        this.descriptionProblem = descriptionProblem;
        this.subjects = subjects;
    }

    /** Opens a dataset; a folder that is missing or holds no {@code sub-*} folder at all is a UserError. */
    public static BidsDataset open(Path root) {
        if (!Files.isDirectory(root)) throw new UserError(root + ": no such BIDS dataset folder");
        Path abs = root.toAbsolutePath().normalize();
        List<String> subjects;
        try (Stream<Path> s = Files.list(abs)) {
            subjects = s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("sub-[A-Za-z0-9]+")).map(n -> n.substring(4)).sorted().toList();
        } catch (IOException e) {
            throw new UserError(root + ": cannot list (" + e.getMessage() + ")", e);
        }
        if (subjects.isEmpty()) throw new UserError(root + ": no sub-<label> folder; not a BIDS dataset");
        Path dd = abs.resolve("dataset_description.json");
        JsonObject desc = null;
        String problem = null;
        if (!Files.isRegularFile(dd)) problem = dd + ": missing; not a valid BIDS dataset (the subjects are processed anyway)";
        else {
            try {
                desc = JsonParser.parseString(Files.readString(dd)).getAsJsonObject();
                if (!desc.has("Name") || !desc.has("BIDSVersion")) problem = dd + ": lacks the required Name or BIDSVersion";
            } catch (IOException | RuntimeException e) {
                problem = dd + ": not a readable JSON object (" + e.getMessage() + ")";
            }
        }
        return new BidsDataset(abs, desc, problem, subjects);
    }

    public Path root() { return root; }

    /** The raw dataset's description (null if missing or unreadable). */
    public JsonObject description() { return description; }

    /** A one-line problem with {@code dataset_description.json}, or null. */
    public String descriptionProblem() { return descriptionProblem; }

    /** Participant labels without {@code sub-}, sorted. */
    public List<String> subjects() { return subjects; }

    /**
     * The subject's DWI runs, sorted by path, restricted to {@code sessions} when not empty. A subject without any
     * DWI, or a DWI without its gradient files, is a UserError naming the subject or file.
     */
    public List<DwiRun> runs(String subject, List<String> sessions) {
        Path sdir = root.resolve("sub-" + subject);
        List<Path> sesDirs = new ArrayList<>();
        List<String> sesLabels = new ArrayList<>();
        for (Path p : list(sdir)) {
            String n = p.getFileName().toString();
            if (Files.isDirectory(p) && n.matches("ses-[A-Za-z0-9]+")) { sesDirs.add(p); sesLabels.add(n.substring(4)); }
        }
        if (sesDirs.isEmpty()) { sesDirs.add(sdir); sesLabels.add(null); }
        List<DwiRun> runs = new ArrayList<>();
        for (int i = 0; i < sesDirs.size(); i++) {
            String ses = sesLabels.get(i);
            if (!sessions.isEmpty() && (ses == null || !sessions.contains(ses))) continue;
            Path dwiDir = sesDirs.get(i).resolve("dwi");
            Path t1w = firstT1w(sesDirs.get(i).resolve("anat"));
            for (Path f : list(dwiDir)) {
                String n = f.getFileName().toString();
                if (!n.endsWith("_dwi.nii.gz") && !n.endsWith("_dwi.nii")) continue;
                BidsName name = BidsName.parse(n);
                if (name == null || !subject.equals(name.get("sub")) || !java.util.Objects.equals(ses, name.get("ses")))
                    throw new UserError(f + ": not a BIDS name of subject " + subject + (ses == null ? "" : " session " + ses));
                String stem = n.substring(0, n.length() - name.extension().length());
                Path bval = sidecar(dwiDir.resolve(stem + ".bval"), "dwi.bval", f);
                Path bvec = sidecar(dwiDir.resolve(stem + ".bvec"), "dwi.bvec", f);
                runs.add(new DwiRun(subject, ses, name, f, bval, bvec, t1w, root));
            }
        }
        if (runs.isEmpty()) {
            String where = sessions.isEmpty() ? "" : " in session(s) " + String.join(", ", sessions);
            throw new UserError(sdir + ": no dwi/*_dwi.nii.gz" + where);
        }
        return runs;
    }

    private Path sidecar(Path beside, String inherited, Path dwi) {
        if (Files.isRegularFile(beside)) return beside;
        Path top = root.resolve(inherited);
        if (Files.isRegularFile(top)) return top;
        throw new UserError(dwi + ": no " + beside.getFileName() + " beside it (nor " + inherited + " at the dataset's root)");
    }

    private static Path firstT1w(Path anat) {
        return list(anat).stream().filter(p -> p.getFileName().toString().matches(".*_T1w\\.nii(\\.gz)?")).findFirst().orElse(null);
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UserError(dir + ": cannot list (" + e.getMessage() + ")", e);
        }
    }
}
