package dev.deepanat.train;

import dev.deepanat.common.UserError;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.backend.Backends;
import dev.deepanat.engine.io.Safetensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training runs on a tiny phantom cohort: outputs, bit-identical reruns, exact resumption, real fine-tuning. */
class TrainerTest {
    @TempDir static Path root;
    static Path data;
    static final Backend BE = Backends.host();
    static final Trainer.Listener QUIET = new Trainer.Listener() {};

    @BeforeAll
    static void cohort() {
        data = TinyCohort.make(root, 3);
    }

    @Test
    void aRunWritesCheckpointsHistoryAndPlot() throws Exception {
        Path run = root.resolve("run-basic");
        Trainer.Result r = Trainer.run(TinyCohort.request(data, run, 2, List.of("sub-03"), null, false), BE, QUIET);
        for (String f : List.of(Trainer.BEST, Trainer.LAST, Trainer.HISTORY, Trainer.PLOT, RunState.FILE)) {
            Path p = run.resolve(f);
            assertTrue(Files.isRegularFile(p), f);
            // ordinary permissions, not createTempFile's 600
            assertTrue(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)).startsWith("rw-r"), f);
        }
        List<String> csv = Files.readAllLines(run.resolve(Trainer.HISTORY));
        assertEquals(EpochRecord.CSV_HEADER, csv.get(0));
        assertEquals(3, csv.size());
        assertTrue(csv.get(2).startsWith("2,"), csv.get(2));
        assertEquals(2, r.history().size());
        assertTrue(Double.isFinite(r.history().get(1).valLoss()));

        Map<String, String> meta = Safetensors.load(r.best(), BE).metadata();
        ModelCard card = Checkpoints.card(r.best(), meta);
        assertEquals(List.of("sub-01", "sub-02"), card.trainingSubjects());
        assertEquals(8, card.block());
        assertEquals(4, card.config().baseFilters());
        assertEquals(dev.deepanat.data.InputChannels.SUFFIXES, card.channels());
        assertFalse(card.normalizedChannels().contains("diff_dtiL1"));
        // the stored T1w statistics are the training subjects' mean
        var s1 = dev.deepanat.data.Subject.load(new dev.deepanat.data.SubjectLayout(data.resolve("sub-01"), "sub-01"), true).targetStats();
        var s2 = dev.deepanat.data.Subject.load(new dev.deepanat.data.SubjectLayout(data.resolve("sub-02"), "sub-02"), true).targetStats();
        assertEquals((s1.mean() + s2.mean()) / 2, card.t1wMean(), 1e-9);
        assertEquals((s1.std() + s2.std()) / 2, card.t1wStd(), 1e-9);
        // a second run into the same folder is refused rather than overwriting it
        assertThrows(UserError.class, () -> Trainer.run(TinyCohort.request(data, run, 2, List.of("sub-03"), null, false), BE, QUIET));
    }

    @Test
    void theSameSeedGivesBitIdenticalCheckpoints() throws Exception {
        Path a = root.resolve("seed-a"), b = root.resolve("seed-b");
        Trainer.run(TinyCohort.request(data, a, 2, List.of("sub-03"), null, false), BE, QUIET);
        Trainer.run(TinyCohort.request(data, b, 2, List.of("sub-03"), null, false), BE, QUIET);
        assertEquals(-1, Files.mismatch(a.resolve(Trainer.LAST), b.resolve(Trainer.LAST)));
        assertEquals(-1, Files.mismatch(a.resolve(Trainer.BEST), b.resolve(Trainer.BEST)));
    }

    /** Stands for a kill: the run stops at a given point, after (or before) the epoch's state was saved. */
    private static final class Kill extends RuntimeException {}

    @Test
    void aKilledRunResumesToTheSameWeights() throws Exception {
        Path whole = root.resolve("resume-whole"), cut = root.resolve("resume-cut");
        Trainer.run(TinyCohort.request(data, whole, 3, List.of("sub-03"), null, false), BE, QUIET);
        // killed in the middle of epoch 2: epoch 1 is saved, epoch 2 is lost and redone
        assertThrows(Kill.class, () -> Trainer.run(TinyCohort.request(data, cut, 3, List.of("sub-03"), null, false), BE, new Trainer.Listener() {
            int epoch;

            @Override
            public void epochStart(int e, int epochs, int blocks) { epoch = e; }

            @Override
            public void step(int done, double loss) { if (epoch == 2) throw new Kill(); } // the first loss read of epoch 2
        }));
        assertEquals(2, Files.readAllLines(cut.resolve(Trainer.HISTORY)).size()); // header + epoch 1
        Trainer.Result r = Trainer.run(TinyCohort.request(data, cut, 3, List.of("sub-03"), null, true), BE, QUIET);
        assertEquals(3, r.history().size());
        assertEquals(-1, Files.mismatch(whole.resolve(Trainer.LAST), cut.resolve(Trainer.LAST)), "resumed weights differ");
        assertEquals(Files.readAllLines(whole.resolve(Trainer.HISTORY)).stream().map(TrainerTest::lossesOnly).toList(),
                Files.readAllLines(cut.resolve(Trainer.HISTORY)).stream().map(TrainerTest::lossesOnly).toList());
    }

    private static String lossesOnly(String csvLine) {
        String[] f = csvLine.split(",", -1);
        return f[0] + "," + f[1] + "," + f[2];
    }

    @Test
    void resumingWithOtherOptionsIsRefused() {
        Path run = root.resolve("resume-other");
        Trainer.run(TinyCohort.request(data, run, 1, List.of("sub-03"), null, false), BE, QUIET);
        TrainRequest t = TinyCohort.request(data, run, 2, List.of("sub-03"), null, true);
        TrainRequest otherSeed = new TrainRequest(t.data(), t.subjects(), t.valSubjects(), null, null, 2, 4, 3, 8, t.lr(), false, 8, null, true, 10, run);
        UserError e = assertThrows(UserError.class, () -> Trainer.run(otherSeed, BE, QUIET));
        assertTrue(e.getMessage().contains("--seed 7 vs 8"), e.getMessage());
        assertEquals(2, Trainer.run(t, BE, QUIET).history().size()); // the same options go on
        assertEquals(0, Trainer.run(t, BE, QUIET).epochsTrained()); // and a finished run has nothing left to do
    }

    @Test
    void validationOptionsAreAlternativesAndZeroMeansNone() {
        TrainRequest t = TinyCohort.request(data, root.resolve("val-none"), 1, null, null, false);
        TrainRequest both = new TrainRequest(t.data(), t.subjects(), List.of("sub-02"), 0.5, null, 1, 4, 3, 8, t.lr(), false, 7, null, false, 10, t.out());
        assertThrows(UserError.class, () -> Trainer.run(both, BE, QUIET));
        TrainRequest none = new TrainRequest(t.data(), t.subjects(), null, null, 0.0, 1, 4, 3, 8, t.lr(), false, 7, null, false, 10, t.out());
        Trainer.Result r = Trainer.run(none, BE, QUIET);
        assertTrue(Double.isNaN(r.history().get(0).valLoss()));
    }

    @Test
    void aResumeStateIsNotACheckpoint() {
        Path run = root.resolve("state-as-init");
        Trainer.run(TinyCohort.request(data, run, 1, List.of("sub-03"), null, false), BE, QUIET);
        UserError e = assertThrows(UserError.class, () -> Checkpoints.load(run.resolve(Trainer.RESUME_STATE), BE));
        assertTrue(e.getMessage().contains("resume state"), e.getMessage());
    }

    @Test
    void aRunKilledInItsFirstEpochCanStartAgain() throws Exception {
        // killed after epoch 1's checkpoint was written but before its resume state: no epoch is finished, start again
        Path done = root.resolve("first-done"), run = root.resolve("killed-first");
        Trainer.run(TinyCohort.request(data, done, 1, List.of("sub-03"), null, false), BE, QUIET);
        Files.createDirectories(run);
        Files.copy(done.resolve(Trainer.LAST), run.resolve(Trainer.LAST));
        Trainer.run(TinyCohort.request(data, run, 1, List.of("sub-03"), null, false), BE, QUIET);
        assertTrue(Files.exists(run.resolve(Trainer.RESUME_STATE)));
    }

    @Test
    void resumeWithNothingToResumeIsAUserError() {
        UserError e = assertThrows(UserError.class,
                () -> Trainer.run(TinyCohort.request(data, root.resolve("empty-run"), 1, List.of("sub-03"), null, true), BE, QUIET));
        assertTrue(e.getMessage().contains("nothing to resume"), e.getMessage());
    }

    @Test
    void fineTuningStartsFromTheGivenWeights() throws Exception {
        Path base = root.resolve("ft-base"), tuned = root.resolve("ft-tuned"), fresh = root.resolve("ft-fresh");
        Trainer.run(TinyCohort.request(data, base, 2, List.of("sub-03"), null, false), BE, QUIET);
        // one epoch at a vanishing learning rate: a fine-tuned model must still be the one it started from
        TrainRequest t = TinyCohort.request(data, tuned, 1, null, base.resolve(Trainer.LAST), false);
        t = new TrainRequest(t.data(), t.subjects(), null, null, null, 1, 4, 3, 8, 1e-12f, false, 99, t.init(), false, 10, tuned);
        Trainer.Result r = Trainer.run(t, BE, QUIET);
        TrainRequest f = new TrainRequest(t.data(), t.subjects(), null, null, null, 1, 4, 3, 8, 1e-12f, false, 99, null, false, 10, fresh);
        Trainer.run(f, BE, QUIET);
        Map<String, Tensor> start = Safetensors.load(base.resolve(Trainer.LAST), BE).tensors();
        Map<String, Tensor> after = Safetensors.load(r.last(), BE).tensors();
        Map<String, Tensor> scratch = Safetensors.load(fresh.resolve(Trainer.LAST), BE).tensors();
        for (String k : start.keySet()) {
            float[] s = start.get(k).toArray(), a = after.get(k).toArray();
            for (int i = 0; i < s.length; i++) assertEquals(s[i], a[i], 1e-6, k);
        }
        assertNotEquals(start.get("enc0.0.conv.weight").toArray()[0], scratch.get("enc0.0.conv.weight").toArray()[0]);
        // fine-tuning's default validation is 20% of each subject's blocks
        assertTrue(Double.isFinite(r.history().get(0).valLoss()));
    }

    @Test
    void aCheckpointOfAnotherChannelListIsRefused() throws Exception {
        Path run = root.resolve("run-channels");
        Trainer.run(TinyCohort.request(data, run, 1, List.of("sub-03"), null, false), BE, QUIET);
        Safetensors.Checkpoint c = Safetensors.load(run.resolve(Trainer.LAST), BE);
        Map<String, String> meta = new java.util.LinkedHashMap<>(c.metadata());
        meta.put("channels", "[\"diff_meanb0\",\"diff_fa\"]");
        Path bad = root.resolve("bad-channels.safetensors");
        Safetensors.save(bad, c.tensors(), meta);
        UserError e = assertThrows(UserError.class, () -> Checkpoints.load(bad, BE));
        assertTrue(e.getMessage().startsWith(bad.toString()) && e.getMessage().contains("channels"), e.getMessage());
        Map<String, Tensor> fewer = new java.util.LinkedHashMap<>(c.tensors());
        fewer.remove("out.bias");
        Safetensors.save(bad, fewer, c.metadata());
        e = assertThrows(UserError.class, () -> Checkpoints.load(bad, BE));
        assertTrue(e.getMessage().contains("out.bias"), e.getMessage());
        assertArrayEquals(new int[] {1, 4, 3, 3, 3}, c.tensors().get("out.weight").shape()); // the final conv is 3×3×3
    }
}
