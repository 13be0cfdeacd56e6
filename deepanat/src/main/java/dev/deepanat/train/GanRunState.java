package dev.deepanat.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.reflect.TypeToken;
import dev.deepanat.common.UserError;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.io.Safetensors;
import dev.deepanat.engine.nn.Module;
import dev.deepanat.engine.optim.Adam;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a killed GAN run needs to go on exactly as if it had not stopped, in one file written atomically at the end of
 * each epoch ({@code RUN/last.gan-state.safetensors}): both networks ("g.*", "d.*", the discriminator's spectral-norm
 * vectors and running statistics included), both optimizers' moments and step counts, the epochs done, the best
 * validation loss, the history and the options that must not change. Every random order is a function of the seed,
 * the epoch and the block, so no generator state is needed.
 */
record GanRunState(int epochsDone, double bestVal, double startVal, List<GanEpochRecord> history, String options) {
    static final String FILE = "last.gan-state.safetensors";
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    /** The options a resumed run must share with the interrupted one (more epochs are allowed). */
    static String options(GanRequest r, DataSplit data) {
        return "subjects " + data.trainSubjects() + "; " + data.rule() + "; block " + r.block() + "; adv-weight " + r.advWeight()
                + "; lr-g " + r.lrG() + "; lr-d " + r.lrD() + "; d-epochs " + r.dEpochs() + "; d-batch " + r.dBatch()
                + "; label-smoothing " + r.labelSmoothing() + "; d-filters " + r.dFilters() + "; spectral-norm " + r.spectralNorm() + "; seed " + r.seed()
                + "; max-blocks-per-epoch " + r.maxBlocksPerEpoch();
    }

    static void save(Path run, Module g, Adam gAdam, Module d, Adam dAdam, GanRunState s) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        put(t, "g.", g, gAdam);
        put(t, "d.", d, dAdam);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("adam_g_steps", Integer.toString(gAdam.stepCount()));
        meta.put("adam_d_steps", Integer.toString(dAdam.stepCount()));
        meta.put("epochs_done", Integer.toString(s.epochsDone));
        meta.put("best_val", Double.toString(s.bestVal));
        meta.put("start_val", Double.toString(s.startVal));
        meta.put("history", GSON.toJson(s.history));
        meta.put("options", s.options);
        Path f = run.resolve(FILE);
        try {
            Safetensors.save(f, t, meta);
        } catch (IOException e) {
            throw new UserError(f + ": cannot write the GAN run state (" + e.getMessage() + ")", e);
        }
    }

    private static void put(Map<String, Tensor> t, String prefix, Module m, Adam adam) {
        m.stateDict().forEach((k, v) -> t.put(prefix + k, v));
        List<String> names = new ArrayList<>(m.namedParameters().keySet());
        for (int i = 0; i < names.size(); i++) {
            t.put(prefix + "adam.m." + names.get(i), adam.firstMoment(i));
            t.put(prefix + "adam.v." + names.get(i), adam.secondMoment(i));
        }
    }

    /** Restores both networks and optimizers in place from the run's state, and returns the state. */
    static GanRunState restore(Path run, GanRequest r, DataSplit data, Module g, Adam gAdam, Module d, Adam dAdam, Backend be) {
        Path f = run.resolve(FILE);
        if (!Files.isRegularFile(f)) throw new UserError("--resume: nothing to resume in " + run + " (no " + FILE + ")");
        try (Safetensors.Checkpoint c = Safetensors.load(f, be)) {
            Map<String, String> m = c.metadata();
            GanRunState s = new GanRunState(Integer.parseInt(require(m, "epochs_done")), Double.parseDouble(require(m, "best_val")),
                    Double.parseDouble(require(m, "start_val")),
                    List.copyOf(GSON.<List<GanEpochRecord>>fromJson(require(m, "history"), new TypeToken<List<GanEpochRecord>>() {}.getType())),
                    require(m, "options"));
            String now = options(r, data);
            if (!s.options.equals(now))
                throw new UserError("--resume: " + run + " was started with other options (" + s.options + "; now " + now
                        + "); give the same options as the interrupted run");
            load(c.tensors(), "g.", g, gAdam, Integer.parseInt(require(m, "adam_g_steps")));
            load(c.tensors(), "d.", d, dAdam, Integer.parseInt(require(m, "adam_d_steps")));
            return s;
        } catch (IOException | RuntimeException e) {
            if (e instanceof UserError u) throw u;
            throw new UserError(f + ": unreadable GAN run state (" + e.getMessage() + ")", e);
        }
    }

    private static void load(Map<String, Tensor> all, String prefix, Module m, Adam adam, int steps) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String k : m.stateDict().keySet()) {
            Tensor t = all.get(prefix + k);
            if (t == null) throw new IllegalArgumentException("no '" + prefix + k + "'");
            state.put(k, t);
        }
        m.loadStateDict(state);
        List<String> names = new ArrayList<>(m.namedParameters().keySet());
        for (int i = 0; i < names.size(); i++) {
            adam.firstMoment(i).copyFrom(all.get(prefix + "adam.m." + names.get(i)));
            adam.secondMoment(i).copyFrom(all.get(prefix + "adam.v." + names.get(i)));
        }
        adam.restoreStepCount(steps);
    }

    private static String require(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) throw new IllegalArgumentException("no '" + key + "' in its metadata");
        return v;
    }
}
