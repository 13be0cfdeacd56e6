package dev.deepanat.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.reflect.TypeToken;
import dev.deepanat.common.UserError;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.io.Safetensors;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.model.UNet3d;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a killed run needs to go on exactly as if it had not stopped, in one file written atomically at the end
 * of each epoch ({@code RUN/last.optim.safetensors}): the weights ("model.*"), Adam's moments ("adam.m.*", "adam.v.*")
 * and step count, the epochs done, the best validation loss and the history. The epoch order needs no saved RNG:
 * it is a function of (seed, epoch) alone ({@link dev.deepanat.data.BlockSet#epochOrder}).
 */
record RunState(int epochsDone, double bestVal, List<EpochRecord> history, List<String> trainSubjects, long seed,
                float lr, int maxBlocksPerEpoch, String validation) {
    static final String FILE = "last.optim.safetensors";
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    static RunState of(int epochsDone, double bestVal, List<EpochRecord> history, TrainRequest r, DataSplit data) {
        return new RunState(epochsDone, bestVal, List.copyOf(history), data.trainSubjects(), r.seed(), r.lr(),
                r.maxBlocksPerEpoch(), data.rule());
    }

    /**
     * A resumed run is the same run only with the same data, seed, learning rate, blocks per epoch and validation;
     * anything else would quietly train a different model, so it is refused. (More epochs are allowed.)
     */
    void requireSameRun(Path run, TrainRequest r, DataSplit data) {
        List<String> diff = new ArrayList<>();
        if (!trainSubjects.equals(data.trainSubjects())) diff.add("training subjects " + trainSubjects + " vs " + data.trainSubjects());
        if (seed != r.seed()) diff.add("--seed " + seed + " vs " + r.seed());
        if (lr != r.lr()) diff.add("--lr " + lr + " vs " + r.lr());
        if (maxBlocksPerEpoch != r.maxBlocksPerEpoch()) diff.add("--max-blocks-per-epoch " + maxBlocksPerEpoch + " vs " + r.maxBlocksPerEpoch());
        if (!validation.equals(data.rule())) diff.add("validation '" + validation + "' vs '" + data.rule() + "'");
        if (!diff.isEmpty())
            throw new UserError("--resume: " + run + " was started with other options (" + String.join("; ", diff)
                    + "); give the same options as the interrupted run");
    }

    static void save(Path run, UNet3d net, ModelCard card, Adam adam, RunState s) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        net.stateDict().forEach((k, v) -> t.put("model." + k, v));
        List<String> names = new ArrayList<>(net.namedParameters().keySet());
        for (int i = 0; i < names.size(); i++) {
            t.put("adam.m." + names.get(i), adam.firstMoment(i));
            t.put("adam.v." + names.get(i), adam.secondMoment(i));
        }
        Map<String, String> meta = new LinkedHashMap<>(Checkpoints.metadata(card));
        meta.put("adam_steps", Integer.toString(adam.stepCount()));
        meta.put("epochs_done", Integer.toString(s.epochsDone));
        meta.put("best_val", Double.toString(s.bestVal));
        meta.put("history", GSON.toJson(s.history));
        meta.put("train_subjects", GSON.toJson(s.trainSubjects));
        meta.put("seed", Long.toString(s.seed));
        meta.put("lr", Float.toString(s.lr));
        meta.put("max_blocks_per_epoch", Integer.toString(s.maxBlocksPerEpoch));
        meta.put("validation", s.validation);
        Path f = run.resolve(FILE);
        try {
            Safetensors.save(f, t, meta);
        } catch (IOException e) {
            throw new UserError(f + ": cannot write the run state (" + e.getMessage() + ")", e);
        }
    }

    /** The saved state of the run in {@code run}, with its network on {@code be}; Adam is restored by {@link #restore}. */
    record Loaded(RunState state, Checkpoints.TrainedModel model, Map<String, Tensor> tensors, int adamSteps) {}

    static Loaded load(Path run, Backend be) {
        Path f = run.resolve(FILE);
        if (!Files.isRegularFile(f)) throw new UserError("--resume: nothing to resume in " + run + " (no " + FILE + ")");
        Safetensors.Checkpoint c;
        try {
            c = Safetensors.load(f, be);
        } catch (IOException | RuntimeException e) {
            throw new UserError(f + ": unreadable run state (" + e.getMessage() + ")", e);
        }
        Map<String, String> m = c.metadata();
        ModelCard card = Checkpoints.card(f, m);
        UNet3d net = new UNet3d(card.config(), new java.util.SplittableRandom(0));
        net.to(be);
        try {
            net.loadStateDict(Checkpoints.withPrefix(c.tensors(), "model."));
            List<EpochRecord> history = GSON.fromJson(require(m, "history"), new TypeToken<List<EpochRecord>>() {}.getType());
            List<String> subjects = GSON.fromJson(require(m, "train_subjects"), new TypeToken<List<String>>() {}.getType());
            RunState s = new RunState(Integer.parseInt(require(m, "epochs_done")), Double.parseDouble(require(m, "best_val")),
                    List.copyOf(history), List.copyOf(subjects), Long.parseLong(require(m, "seed")), Float.parseFloat(require(m, "lr")),
                    Integer.parseInt(require(m, "max_blocks_per_epoch")), require(m, "validation"));
            return new Loaded(s, new Checkpoints.TrainedModel(net, card), c.tensors(), Integer.parseInt(require(m, "adam_steps")));
        } catch (RuntimeException e) {
            throw new UserError(f + ": incomplete run state (" + e.getMessage() + ")", e);
        }
    }

    private static String require(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) throw new IllegalArgumentException("no '" + key + "' in its metadata");
        return v;
    }

    /** Copies the saved moments into a fresh Adam over the same network's parameters. */
    static void restore(Loaded l, UNet3d net, Adam adam) {
        List<String> names = new ArrayList<>(net.namedParameters().keySet());
        for (int i = 0; i < names.size(); i++) {
            Tensor m = l.tensors.get("adam.m." + names.get(i)), v = l.tensors.get("adam.v." + names.get(i));
            if (m == null || v == null) throw new UserError("--resume: the run state has no Adam moments for " + names.get(i));
            adam.firstMoment(i).copyFrom(m);
            adam.secondMoment(i).copyFrom(v);
        }
        adam.restoreStepCount(l.adamSteps);
        l.tensors.values().forEach(Tensor::close); // copied into the network and the optimizer
    }
}
