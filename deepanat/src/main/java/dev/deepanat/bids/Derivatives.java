package dev.deepanat.bids;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepanat.common.AtomicFiles;
import dev.deepanat.common.BuildInfo;
import dev.deepanat.common.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The DeepAnat BIDS derivative dataset: the names of a run's outputs, the rule set they obey
 * ({@link #checkName}), and the dataset-level files ({@code dataset_description.json}, created once even when
 * several shards start together; {@code descriptions.tsv}; {@code .bidsignore}).
 */
public final class Derivatives {
    public static final String NAME = "DeepAnat-J";
    /** Where the code lives; BIDS asks for it in GeneratedBy. Overridable with -Ddeepanat.codeUrl. */
    public static final String CODE_URL = System.getProperty("deepanat.codeUrl", "https://github.com/deepanat/deepanat-j");
    public static final String BIDS_VERSION = "1.9.0";

    /** One output of a run: its datatype folder, {@code desc-} value, suffix and what it holds. */
    public enum Output {
        T1W("anat", "synth", "T1w", "T1w synthesized from the DWI by the DeepAnat U-Net, in the DWI's space"),
        T1W_NORM("anat", "synthnorm", "T1w", "the same synthesis in the network's normalized units (in-mask z-scores)"),
        MASK("dwi", "brain", "mask", "brain mask on the DWI's grid (median-Otsu on the mean b=0, or the --mask-dir mask)"),
        FA("dwi", "dti", "FA", "fractional anisotropy of the tensor fit on the b=1000 shell"),
        ADC("dwi", "dti", "ADC", "mean diffusivity (MD) of that tensor fit, mm^2/s"),
        INPUTS("dwi", "deepanatinputs", "dwimap", "the 11 DeepAnat network inputs as one 4D image (meanb0, meandwi, "
                + "dtiL1-3, dtiDwi1-6); not a BIDS suffix, listed in .bidsignore");

        public final String datatype, desc, suffix, meaning;

        Output(String datatype, String desc, String suffix, String meaning) {
            this.datatype = datatype; this.desc = desc; this.suffix = suffix; this.meaning = meaning;
        }
    }

    private Derivatives() {}

    /** The output's path relative to the derivative dataset's root; the source's entities kept, {@code dir-} dropped for anat. */
    public static String relPath(DwiRun run, Output o, String extension) {
        BidsName n = run.name().with("space", "dwi").with("desc", o.desc);
        if (o.datatype.equals("anat")) n = n.with("dir", null);
        return run.folder() + "/" + o.datatype + "/" + n.withSuffix(o.suffix, extension);
    }

    /** Every file a complete run leaves: each image and its JSON sidecar. */
    public static List<String> expected(DwiRun run) {
        List<String> all = new ArrayList<>();
        for (Output o : Output.values()) { all.add(relPath(run, o, ".nii.gz")); all.add(relPath(run, o, ".json")); }
        return all;
    }

    public static boolean complete(Path out, DwiRun run) {
        for (String f : expected(run)) if (!Files.isRegularFile(out.resolve(f))) return false;
        return true;
    }

    private static final Set<String> ALLOWED = Set.of("sub", "ses", "acq", "rec", "dir", "run", "part", "chunk", "space", "desc");

    /**
     * The rule set of this dataset's file names under {@code sub-*}: null when {@code rel} obeys it, else the broken
     * rule. Path {@code sub-<l>[/ses-<l>]/<anat|dwi>/<name>}; the name's entities known, each once, in BIDS order, only
     * those a DWI source may carry plus {@code space-dwi} and a {@code desc-} of {@link Output}; sub and ses equal to
     * the folders'; the (datatype, desc, suffix) of an {@link Output}; no {@code dir-} in anat; {@code .nii.gz} or {@code .json}.
     */
    public static String checkName(String rel) {
        String[] parts = rel.split("/");
        if (parts.length != 3 && parts.length != 4) return "not sub-<label>[/ses-<label>]/<datatype>/<file>";
        if (!parts[0].matches("sub-[A-Za-z0-9]+")) return "first folder is not sub-<label>";
        boolean ses = parts.length == 4;
        if (ses && !parts[1].matches("ses-[A-Za-z0-9]+")) return "second folder is not ses-<label>";
        String datatype = parts[parts.length - 2], file = parts[parts.length - 1];
        BidsName n = BidsName.parse(file);
        if (n == null) return "not a BIDS file name (unknown, repeated or misordered entity, or bad label)";
        if (!parts[0].substring(4).equals(n.get("sub"))) return "sub- entity differs from its folder";
        if (ses != (n.get("ses") != null) || ses && !parts[1].substring(4).equals(n.get("ses"))) return "ses- entity differs from its folder";
        for (String k : n.entities().keySet()) if (!ALLOWED.contains(k)) return "entity " + k + "- not allowed here";
        if (!"dwi".equals(n.get("space"))) return "space- must be dwi";
        if (!n.extension().equals(".nii.gz") && !n.extension().equals(".json")) return "extension must be .nii.gz or .json";
        for (Output o : Output.values())
            if (o.datatype.equals(datatype) && o.desc.equals(n.get("desc")) && o.suffix.equals(n.suffix()))
                return datatype.equals("anat") && n.get("dir") != null ? "dir- is dropped for anat outputs" : null;
        return "no output has datatype " + datatype + ", desc-" + n.get("desc") + " and suffix " + n.suffix();
    }

    /** Creates the dataset-level files, or checks that {@code out} already is a DeepAnat derivative dataset. */
    public static void initDataset(Path out, BidsDataset raw) {
        Path dd = out.resolve("dataset_description.json");
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UserError(out + ": cannot create the output folder (" + e.getMessage() + ")", e);
        }
        createOnce(dd, description(raw));
        checkOurs(dd);
        // Same content from every process: a replace by rename is harmless when shards race.
        AtomicFiles.writeString(out.resolve(".bidsignore"), "*_dwimap.nii.gz\n*_dwimap.json\ngroup/\n");
        StringBuilder tsv = new StringBuilder("desc_id\tdescription\n");
        for (Output o : Output.values()) tsv.append(o.desc).append('\t').append(o.meaning).append('\n');
        AtomicFiles.writeString(out.resolve("descriptions.tsv"), tsv.toString());
        AtomicFiles.writeString(out.resolve("README"), "T1-weighted images synthesized from diffusion MRI by " + NAME + " (DeepAnat, Li et al., "
                + "Medical Image Analysis 2023), with the brain mask, FA, MD and the network's 11 inputs of each DWI run.\n"
                + "descriptions.tsv explains the desc- values; group/ holds qc.tsv and index.html once the group level ran.\n");
    }

    static String description(BidsDataset raw) {
        JsonObject d = new JsonObject();
        // the raw Name only when it is a string: a hand-written "Name": null or {} must not stop the whole app
        boolean named = raw.description() != null && raw.description().has("Name") && raw.description().get("Name").isJsonPrimitive();
        d.addProperty("Name", "DeepAnat-J synthesized T1w" + (named ? " of " + raw.description().get("Name").getAsString() : ""));
        d.addProperty("BIDSVersion", BIDS_VERSION);
        d.addProperty("DatasetType", "derivative");
        JsonObject gen = new JsonObject();
        gen.addProperty("Name", NAME);
        gen.addProperty("Version", BuildInfo.version());
        gen.addProperty("CodeURL", CODE_URL);
        gen.addProperty("Description", "T1w synthesized from diffusion MRI (DeepAnat, Li et al., Medical Image Analysis 2023)");
        JsonArray gens = new JsonArray();
        gens.add(gen);
        d.add("GeneratedBy", gens);
        JsonObject src = new JsonObject();
        String uri = raw.root().toUri().toString();
        src.addProperty("URL", uri);
        if (raw.description() != null && raw.description().has("DatasetDOI")) src.add("DOI", raw.description().get("DatasetDOI"));
        JsonArray srcs = new JsonArray();
        srcs.add(src);
        d.add("SourceDatasets", srcs);
        JsonObject links = new JsonObject();
        links.addProperty("raw", uri);
        d.add("DatasetLinks", links);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(d) + "\n";
    }

    /**
     * Writes {@code target} only if it does not exist, atomically: the content goes to a unique temporary file,
     * which is then hard-linked to the target (link creation fails if the target exists, so of several processes
     * exactly one wins and nobody ever sees a partial file).
     */
    static void createOnce(Path target, String content) {
        if (Files.exists(target)) return;
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.createLink(target, tmp);
            } catch (FileAlreadyExistsException e) {
                // another shard won; its file is complete
            } catch (UnsupportedOperationException | IOException e) {
                try {
                    Files.move(tmp, target); // no REPLACE_EXISTING: fails if another shard got there first
                } catch (FileAlreadyExistsException ignored) {
                    // another shard won
                }
            }
        } catch (IOException e) {
            throw new UserError(target + ": cannot write (" + e.getMessage() + ")", e);
        } finally {
            try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* hidden and unique */ }
        }
    }

    private static void checkOurs(Path dd) {
        try {
            JsonObject d = JsonParser.parseString(Files.readString(dd)).getAsJsonObject();
            String type = d.has("DatasetType") ? d.get("DatasetType").getAsString() : "raw";
            String gen = d.has("GeneratedBy") ? d.getAsJsonArray("GeneratedBy").get(0).getAsJsonObject().get("Name").getAsString() : "?";
            if (!type.equals("derivative") || !gen.equals(NAME))
                throw new UserError(dd + ": the output folder holds another dataset (DatasetType " + type + ", GeneratedBy " + gen
                        + "); choose an empty folder or an earlier DeepAnat output");
        } catch (IOException | RuntimeException e) {
            if (e instanceof UserError ue) throw ue;
            throw new UserError(dd + ": not a readable dataset description (" + e.getMessage() + ")", e);
        }
    }
}
