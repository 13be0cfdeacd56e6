package dev.deepanat.bids;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A BIDS file name: {@code key-value} entities in the specification's order, a suffix and an extension, e.g.
 * {@code sub-01_ses-1_acq-b1000_run-1_space-dwi_desc-synth_T1w.nii.gz}. Parsing checks the form (alphanumeric
 * labels, known entities, each once, in order); building sorts the entities into the specification's order.
 */
public record BidsName(Map<String, String> entities, String suffix, String extension) {
    /** The entities BIDS 1.9 defines, in the order they must appear in a file name. */
    public static final List<String> ENTITY_ORDER = List.of("sub", "ses", "sample", "task", "tracksys", "acq", "nuc", "voi",
            "ce", "trc", "stain", "rec", "dir", "run", "mod", "echo", "flip", "inv", "mt", "part", "proc", "hemi", "space",
            "split", "recording", "chunk", "seg", "res", "den", "label", "desc");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]+");
    private static final Pattern NAME = Pattern.compile("((?:[a-z]+-[A-Za-z0-9]+_)+)([A-Za-z0-9]+)((?:\\.[a-z0-9]+)+)");

    public BidsName {
        Map<String, String> sorted = new LinkedHashMap<>();
        for (String k : ENTITY_ORDER) if (entities.containsKey(k)) sorted.put(k, entities.get(k));
        for (var e : entities.entrySet()) {
            if (!sorted.containsKey(e.getKey())) throw new IllegalArgumentException("unknown BIDS entity '" + e.getKey() + "'");
            if (!LABEL.matcher(e.getValue()).matches())
                throw new IllegalArgumentException("BIDS label '" + e.getValue() + "' of " + e.getKey() + " is not alphanumeric");
        }
        entities = java.util.Collections.unmodifiableMap(sorted);
    }

    /** Parses a file name; null when it is not of the BIDS form (unknown or repeated entity, entities out of order). */
    public static BidsName parse(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) return null;
        Map<String, String> ents = new LinkedHashMap<>();
        int last = -1;
        for (String kv : m.group(1).split("_")) {
            int dash = kv.indexOf('-');
            String k = kv.substring(0, dash), v = kv.substring(dash + 1);
            int pos = ENTITY_ORDER.indexOf(k);
            if (pos <= last || ents.containsKey(k)) return null;
            last = pos;
            ents.put(k, v);
        }
        return new BidsName(ents, m.group(2), m.group(3));
    }

    public String get(String entity) { return entities.get(entity); }

    /** A copy with an entity set (value null: removed). */
    public BidsName with(String entity, String value) {
        Map<String, String> e = new LinkedHashMap<>(entities);
        if (value == null) e.remove(entity); else e.put(entity, value);
        return new BidsName(e, suffix, extension);
    }

    public BidsName withSuffix(String s, String ext) { return new BidsName(entities, s, ext); }

    /** The entities joined by '_' (no suffix): the prefix shared by a subject's outputs. */
    public String prefix() {
        StringBuilder b = new StringBuilder();
        entities.forEach((k, v) -> b.append(b.isEmpty() ? "" : "_").append(k).append('-').append(v));
        return b.toString();
    }

    @Override
    public String toString() { return prefix() + "_" + suffix + extension; }
}
