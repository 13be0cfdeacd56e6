package dev.deepanat.data;

import java.nio.file.Path;

/**
 * The files of one subject folder, as {@code prepare} writes it and {@code train}/{@code predict} read it:
 * the 11 input channels ({@link InputChannels}), {@code <sj>_mask.nii.gz} and, for training, {@code <sj>_t1w.nii.gz}.
 */
public record SubjectLayout(Path dir, String id) {
    public Path channel(int c) {
        return dir.resolve(InputChannels.fileName(id, c));
    }

    public Path mask() {
        return dir.resolve(id + "_mask.nii.gz");
    }

    public Path t1w() {
        return dir.resolve(id + "_t1w.nii.gz");
    }

    /** A subject folder is named after its subject: {@code DATA/sub-01/sub-01_diff_meanb0.nii.gz}. */
    public static SubjectLayout of(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return new SubjectLayout(dir, name == null ? "" : name.toString());
    }
}
