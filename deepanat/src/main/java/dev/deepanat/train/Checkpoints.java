package dev.deepanat.train;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import dev.deepanat.common.UserError;
import dev.deepanat.data.InputChannels;
import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.io.Safetensors;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * U-Net checkpoints: the state dict in safetensors (PyTorch's names and layouts) and the {@link ModelCard} as string
 * metadata, one key per field, so that the file alone is enough to predict. Written atomically (temporary + rename).
 */
public final class Checkpoints {
    static final String MODEL_TAG = "deepanat.UNet3d";
    private static final Gson GSON = new Gson();

    private Checkpoints() {}

    /** A network with the card describing it. */
    public record TrainedModel(UNet3d net, ModelCard card) {}

    public static void save(Path path, UNet3d net, ModelCard card) {
        try {
            Safetensors.save(path, net.stateDict(), metadata(card));
        } catch (IOException e) {
            throw new UserError(path + ": cannot write the checkpoint (" + e.getMessage() + ")", e);
        }
    }

    static Map<String, String> metadata(ModelCard c) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt");
        m.put("model", MODEL_TAG);
        m.put("config", GSON.toJson(c.config()));
        m.put("block", Integer.toString(c.block()));
        m.put("channels", GSON.toJson(c.channels()));
        m.put("normalized_channels", GSON.toJson(c.normalizedChannels()));
        m.put("eigenvalue_scale", Float.toString(InputChannels.EIGENVALUE_SCALE));
        m.put("t1w_mean", Double.toString(c.t1wMean()));
        m.put("t1w_std", Double.toString(c.t1wStd()));
        m.put("training_subjects", GSON.toJson(c.trainingSubjects()));
        m.put("version", c.version());
        m.put("epoch", Integer.toString(c.epoch()));
        return m;
    }

    /** Reads a checkpoint onto backend {@code be}; anything that is not a DeepAnat U-Net for our 11 channels is one line. */
    public static TrainedModel load(Path path, Backend be) {
        if (!Files.isRegularFile(path)) throw new UserError(path + ": no such checkpoint file");
        Safetensors.Checkpoint c;
        try {
            c = Safetensors.load(path, be);
        } catch (IOException | RuntimeException e) {
            throw new UserError(path + ": not a readable safetensors checkpoint (" + e.getMessage() + ")", e);
        }
        if (c.metadata().containsKey("adam_steps"))
            throw new UserError(path + ": is a training run's resume state; give the run's best.safetensors or last.safetensors");
        ModelCard card = card(path, c.metadata());
        UNet3d net = new UNet3d(card.config(), new SplittableRandom(0));
        net.to(be);
        try {
            net.loadStateDict(c.tensors());
        } catch (IllegalArgumentException e) {
            throw new UserError(path + ": weights do not fit the U-Net its metadata describes (" + e.getMessage() + ")", e);
        } finally {
            c.close(); // copied into the network
        }
        return new TrainedModel(net, card);
    }

    static ModelCard card(Path path, Map<String, String> m) {
        if (!MODEL_TAG.equals(m.get("model")))
            throw new UserError(path + ": not a DeepAnat U-Net checkpoint (metadata 'model' is " + m.get("model") + ")");
        try {
            UNetConfig cfg = java.util.Objects.requireNonNull(GSON.fromJson(require(path, m, "config"), UNetConfig.class), "config");
            List<String> channels = GSON.fromJson(require(path, m, "channels"), new TypeToken<List<String>>() {}.getType());
            if (!InputChannels.SUFFIXES.equals(channels))
                throw new UserError(path + ": trained on channels " + channels + ", but this version feeds " + InputChannels.SUFFIXES);
            List<String> norm = GSON.fromJson(require(path, m, "normalized_channels"), new TypeToken<List<String>>() {}.getType());
            if (!ModelCard.normalizedChannelNames().equals(norm))
                throw new UserError(path + ": normalizes channels " + norm + ", but this version normalizes " + ModelCard.normalizedChannelNames());
            if (!Float.toString(InputChannels.EIGENVALUE_SCALE).equals(m.get("eigenvalue_scale")))
                throw new UserError(path + ": fed eigenvalues × " + m.get("eigenvalue_scale") + ", but this version feeds them × " + InputChannels.EIGENVALUE_SCALE + " (µm²/ms)");
            if (cfg.inChannels() != InputChannels.COUNT || cfg.outChannels() != 1)
                throw new UserError(path + ": a U-Net of " + cfg.inChannels() + " inputs and " + cfg.outChannels() + " outputs; DeepAnat's has " + InputChannels.COUNT + " and 1");
            List<String> subjects = GSON.fromJson(require(path, m, "training_subjects"), new TypeToken<List<String>>() {}.getType());
            return new ModelCard(cfg, Integer.parseInt(require(path, m, "block")), channels, norm,
                    Double.parseDouble(require(path, m, "t1w_mean")), Double.parseDouble(require(path, m, "t1w_std")),
                    subjects, m.getOrDefault("version", "?"), Integer.parseInt(m.getOrDefault("epoch", "0")));
        } catch (UserError e) {
            throw e;
        } catch (RuntimeException e) { // malformed JSON, a number that is not one, a config Gson cannot build (null, < 1)
            throw new UserError(path + ": unreadable DeepAnat metadata (" + e + ")", e);
        }
    }

    private static String require(Path path, Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) throw new UserError(path + ": no '" + key + "' in the checkpoint's metadata; not a DeepAnat checkpoint of this version");
        return v;
    }

    /** The tensors of a state dict under a name prefix ("model." → "enc0.0.conv.weight"). */
    static Map<String, Tensor> withPrefix(Map<String, Tensor> all, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        all.forEach((k, v) -> { if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v); });
        return out;
    }
}
