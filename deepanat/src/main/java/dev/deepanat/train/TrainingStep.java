package dev.deepanat.train;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.loss.Losses;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.engine.profile.Layer;
import dev.deepanat.model.UNet3d;

/**
 * One DeepAnat training step, the one the trainer, {@code bench}, the JMH benchmark and the memory tests all run:
 * gradients freed, forward, masked L1, backward, Adam. It reads nothing back to the host: the loss it returns is still
 * on the device, owned by the caller's {@link dev.deepanat.engine.MemoryScope}.
 */
public final class TrainingStep {
    private TrainingStep() {}

    public static Tensor run(UNet3d net, Adam adam, Tensor x, Tensor target, Tensor mask) {
        adam.zeroGrad();
        Tensor pred = net.forward(x), loss;
        try (var l = Layer.enter("loss")) { loss = Losses.maskedL1(pred, target, mask); }
        loss.backward();
        try (var l = Layer.enter("adam", "update")) { adam.step(); }
        return loss;
    }
}
