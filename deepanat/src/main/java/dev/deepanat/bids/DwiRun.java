package dev.deepanat.bids;

import java.nio.file.Path;

/**
 * One DWI series of a raw BIDS dataset with its gradient files and, when the subject (session) has one, a T1w from
 * {@code anat/}. {@code name} is the DWI's parsed file name; {@code rel*} are paths relative to the dataset's root
 * (for {@code bids:raw:} links).
 */
public record DwiRun(String subject, String session, BidsName name, Path dwi, Path bval, Path bvec, Path t1w, Path root) {
    public String rel(Path p) { return root.relativize(p).toString().replace('\\', '/'); }

    /** {@code sub-01[/ses-1]}: the folder of this run's outputs, relative to a dataset's root. */
    public String folder() { return "sub-" + subject + (session == null ? "" : "/ses-" + session); }

    /** Shown in messages: the DWI's path relative to the raw dataset. */
    @Override
    public String toString() { return rel(dwi); }
}
