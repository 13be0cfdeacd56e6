package dev.deepanat.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossPlotTest {
    @TempDir Path dir;

    static List<LossPlot.Series> curves() {
        double[] train = new double[30], val = new double[30];
        for (int e = 0; e < 30; e++) {
            train[e] = 0.05 + 0.5 * Math.exp(-e / 6.0);
            val[e] = e % 5 == 4 ? 0.08 + 0.45 * Math.exp(-e / 7.0) : Double.NaN; // validated every 5th epoch
        }
        return List.of(LossPlot.Series.perEpoch("train", train), LossPlot.Series.perEpoch("validation", val));
    }

    @Test
    void writesAReadablePngWithOrdinaryPermissionsAndNoTemporaryFiles() throws Exception {
        Path png = dir.resolve("plots/loss.png"); // the folder is created
        LossPlot.write(png, "masked L1", "epoch", "loss", true, curves());
        LossPlot.write(png, "masked L1", "epoch", "loss", false, curves()); // replaces the first
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(LossPlot.WIDTH, img.getWidth());
        assertEquals(LossPlot.HEIGHT, img.getHeight());
        Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) for (int x = 0; x < img.getWidth(); x += 3) colours.add(img.getRGB(x, y));
        assertTrue(colours.size() > 10, "a drawn chart, not a blank image: " + colours.size() + " colours");
        try (Stream<Path> files = Files.list(png.getParent())) {
            assertEquals(List.of(png), files.toList(), "no temporary file left behind");
        }
        if (Files.getFileAttributeView(png, PosixFileAttributeView.class) != null) {
            Path ordinary = Files.createFile(dir.resolve("ordinary"));
            assertEquals(Files.getPosixFilePermissions(ordinary), Files.getPosixFilePermissions(png), "like any new file (umask)");
            assertTrue(Files.getPosixFilePermissions(png).contains(PosixFilePermission.OWNER_WRITE));
            if (Files.getPosixFilePermissions(ordinary).contains(PosixFilePermission.OTHERS_READ)) // umask 022: rw-r--r--
                assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(png)));
        }
    }

    @Test
    void seriesWithoutPlottablePointsAreLeftOutAndMismatchedLengthsRejected() throws Exception {
        Path png = dir.resolve("loss.png");
        LossPlot.write(png, "t", "epoch", "loss", true, List.of(LossPlot.Series.perEpoch("train", new double[] {0.3, 0.2, 0.1}),
                LossPlot.Series.perEpoch("validation", new double[] {Double.NaN, 0, -1})));
        assertEquals(LossPlot.WIDTH, ImageIO.read(png.toFile()).getWidth());
        assertThrows(IllegalArgumentException.class, () -> new LossPlot.Series("x", new double[2], new double[3]));
    }
}
