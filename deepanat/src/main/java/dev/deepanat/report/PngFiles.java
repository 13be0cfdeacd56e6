package dev.deepanat.report;

import dev.deepanat.common.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes report images. A PNG is written to a hidden temporary file in the target's folder and renamed over the
 * target once complete, so a reader (or a crash) never sees half an image. The temporary file is created like any
 * other file (mode 0666 less the umask, usually rw-r--r--), not with {@code Files.createTempFile}'s rw-------.
 */
public final class PngFiles {
    private PngFiles() {}

    /**
     * Sets {@code java.awt.headless=true}. Takes effect only before AWT first reads it, hence the report classes call
     * this from their static initialisers; a training run on a server has no display and must not need one.
     */
    public static void forceHeadless() {
        System.setProperty("java.awt.headless", "true");
    }

    public static void write(Path png, BufferedImage image) throws IOException {
        ImageIO.setUseCache(false); // else ImageIO buffers a stream through a cache file in java.io.tmpdir
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(image, "png", out)) throw new IOException(png + ": no PNG writer for this image type");
        });
    }
}
