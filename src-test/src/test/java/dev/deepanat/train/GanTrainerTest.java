package dev.deepanat.train;

import dev.deepanat.app.Main;
import dev.deepanat.common.UserError;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hybrid GAN on the tiny phantom cohort: 16³ blocks, a narrow discriminator, two blocks per epoch. */
class GanTrainerTest {
    static final Backend BE = Backends.host();
    static final Trainer.Listener QUIET = new Trainer.Listener() {};
    @TempDir
    static Path root;
    static Path data, unet;

    @BeforeAll
    static void cohortAndUNet() {
        data = TinyCohort.make(root, 2);
        unet = root.resolve("unet");
        Trainer.run(new TrainRequest(data, List.of("sub-01", "sub-02"), List.of("sub-02"), null, null, 2, 4, 3, 16, 1e-3f,
                false, 7, null, false, 4, unet), BE, QUIET);
    }

    static GanRequest request(Path out, int epochs, boolean resume) {
        return new GanRequest(data, List.of("sub-01", "sub-02"), List.of("sub-02"), null, null, unet.resolve(Trainer.LAST),
                4, 3, 16, epochs, 1e-3f, 1e-4f, 3e-4f, 1, 8, 1f, 8, true, 11, 2, resume, out);
    }

    @Test
    void aGanFineTuneWritesAGeneratorPredictTakesAndFiniteHistory() throws Exception {
        Path out = root.resolve("gan");
        GanTrainer.Result r = GanTrainer.run(request(out, 2, false), BE, QUIET);
        assertEquals(2, r.history().size());
        for (GanEpochRecord e : r.history()) {
            for (double v : new double[] {e.l1(), e.adversarial(), e.dLoss(), e.dAccReal(), e.dAccFake(), e.valL1()})
                assertTrue(Double.isFinite(v), "epoch " + e.epoch() + ": " + e);
            assertTrue(e.dAccReal() >= 0 && e.dAccReal() <= 1 && e.dAccFake() >= 0 && e.dAccFake() <= 1, e.toString());
        }
        assertTrue(Files.size(out.resolve(GanTrainer.DISCRIMINATOR)) > 0);
        List<String> csv = Files.readAllLines(out.resolve(GanTrainer.HISTORY));
        assertEquals(GanEpochRecord.CSV_HEADER, csv.get(0));
        assertEquals(3, csv.size());
        // The generator is an ordinary U-Net checkpoint.
        assertEquals(16, Checkpoints.load(r.best(), BE).card().block());
        Path pred = root.resolve("pred.nii.gz");
        assertEquals(0, Main.execute("predict", "--model", r.best().toString(), "--subject", data.resolve("sub-02").toString(),
                "--out", pred.toString(), "--tiling", "whole"));
        assertTrue(Files.exists(pred));
    }

    @Test
    void aResumedGanRunEndsWithTheSameWeights() throws Exception {
        Path whole = root.resolve("gan-whole"), cut = root.resolve("gan-cut");
        GanTrainer.run(request(whole, 2, false), BE, QUIET);
        GanTrainer.run(request(cut, 1, false), BE, QUIET); // stands for a run killed after its first epoch
        assertThrows(UserError.class, () -> GanTrainer.run(request(cut, 2, false), BE, QUIET), "a second start into a run folder");
        GanTrainer.Result r = GanTrainer.run(request(cut, 2, true), BE, QUIET);
        assertEquals(2, r.history().size());
        assertEquals(-1, Files.mismatch(whole.resolve(Trainer.LAST), cut.resolve(Trainer.LAST)), "resumed generator differs");
        assertEquals(-1, Files.mismatch(whole.resolve(GanTrainer.DISCRIMINATOR), cut.resolve(GanTrainer.DISCRIMINATOR)),
                "resumed discriminator differs");
    }
}
