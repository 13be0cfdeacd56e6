package dev.deepanat.train;

import dev.deepanat.data.InputChannels;
import dev.deepanat.model.UNetConfig;

import java.util.List;

/**
 * What prediction needs besides the weights, stored in the checkpoint's metadata: the architecture, the training
 * block edge, the input channels in order and which of them are normalized, the training subjects' mean T1w
 * statistics (to de-normalize a prediction when no reference T1w is given), the training subjects, the version,
 * and the epoch the weights are from.
 */
public record ModelCard(UNetConfig config, int block, List<String> channels, List<String> normalizedChannels,
                        double t1wMean, double t1wStd, List<String> trainingSubjects, String version, int epoch) {

    public static List<String> normalizedChannelNames() {
        return java.util.stream.IntStream.range(0, InputChannels.COUNT).filter(InputChannels::normalized)
                .mapToObj(InputChannels.SUFFIXES::get).toList();
    }

    public ModelCard atEpoch(int e) {
        return new ModelCard(config, block, channels, normalizedChannels, t1wMean, t1wStd, trainingSubjects, version, e);
    }
}
