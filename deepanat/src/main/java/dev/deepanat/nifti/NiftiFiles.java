package dev.deepanat.nifti;

import dev.deepanat.common.UserError;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** File names and input streams: which file holds the header and which the voxels, and transparent gunzip. */
final class NiftiFiles {
    /** Read and inflate buffers: large enough that per-call overhead vanishes, small enough to not matter. */
    static final int BUFFER = 1 << 16;

    private NiftiFiles() {}

    static boolean isGz(Path p) { return lower(p).endsWith(".gz"); }

    /** The name without a trailing .gz, lower-cased, for extension checks. */
    static String baseName(Path p) {
        String n = lower(p);
        return n.endsWith(".gz") ? n.substring(0, n.length() - 3) : n;
    }

    static boolean isHdr(Path p) { return baseName(p).endsWith(".hdr"); }

    static boolean isImg(Path p) { return baseName(p).endsWith(".img"); }

    /** For an .img (or .img.gz) the header file beside it; any other path is its own header file. */
    static Path headerFile(Path p) {
        if (!isImg(p)) return p;
        return siblingWith(p, ".hdr");
    }

    /** For a .hdr the .img beside it (with or without .gz, whichever exists); for an .img, itself. */
    static Path imageFile(Path p) {
        if (isImg(p)) return p;
        Path img = siblingWith(p, ".img");
        if (Files.exists(img)) return img;
        Path other = isGz(img) ? sibling(img, stripGz(img.getFileName().toString()))
                : sibling(img, img.getFileName().toString() + ".gz");
        return Files.exists(other) ? other : img;
    }

    /** Replaces the .hdr/.img extension, keeping its case and any .gz. */
    private static Path siblingWith(Path p, String ext) {
        String name = p.getFileName().toString();
        boolean gz = isGz(p);
        String core = gz ? stripGz(name) : name;
        boolean upper = Character.isUpperCase(core.charAt(core.length() - 1));
        String newExt = upper ? ext.toUpperCase(java.util.Locale.ROOT) : ext;
        return sibling(p, core.substring(0, core.length() - 4) + newExt + (gz ? name.substring(name.length() - 3) : ""));
    }

    private static Path sibling(Path p, String name) {
        Path parent = p.getParent();
        return parent == null ? Path.of(name) : parent.resolve(name);
    }

    private static String stripGz(String n) { return n.substring(0, n.length() - 3); }

    private static String lower(Path p) { return p.getFileName().toString().toLowerCase(java.util.Locale.ROOT); }

    /**
     * Opens a file for streaming, gunzipping when it starts with the gzip magic (whatever its name says, since
     * tools disagree about .gz suffixes). Throws UserError for a missing or unreadable file.
     */
    static InputStream open(Path p, String role) {
        try {
            InputStream raw = new BufferedInputStream(Files.newInputStream(p), BUFFER);
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                try {
                    return new GZIPInputStream(raw, BUFFER);
                } catch (IOException e) {
                    raw.close();
                    throw new UserError(p + ": corrupt gzip data (" + e.getMessage() + ")");
                }
            }
            return raw;
        } catch (NoSuchFileException e) {
            throw new UserError(p + ": " + role + " not found");
        } catch (IOException e) {
            throw new UserError(p + ": cannot read " + role + " (" + e.getMessage() + ")");
        }
    }
}
