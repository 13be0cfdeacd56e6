package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.Tensor;
import dev.deepanat.engine.backend.Backend;
import dev.deepanat.engine.loss.Losses;
import dev.deepanat.engine.optim.Adam;
import dev.deepanat.model.UNet3d;
import dev.deepanat.model.UNetConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static dev.deepanat.kernels.cpu.CpuCheck.CPU;
import static dev.deepanat.kernels.cpu.CpuCheck.REF;
import static dev.deepanat.kernels.cpu.CpuCheck.close;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A whole U-Net training step (forward, masked L1, backward, Adam) on the cpu backend matches the reference's. */
class CpuUNetStepTest {
    record Step(float[] loss, List<float[]> grads, List<float[]> params) {}

    static Step run(Backend be) {
        SplittableRandom rng = new SplittableRandom(17);
        UNet3d net = new UNet3d(new UNetConfig(3, 1, 4, 3, false), rng);
        net.to(be);
        Tensor x = Tensor.randn(rng, 0, 1, 1, 3, 12, 12, 20).to(be);
        Tensor target = Tensor.randn(rng, 0, 1, 1, 1, 12, 12, 20).to(be);
        float[] m = new float[12 * 12 * 20];
        for (int i = 0; i < m.length; i++) m[i] = i % 7 == 0 ? 0f : 1f;
        Tensor mask = Tensor.of(m, 1, 1, 12, 12, 20).to(be);
        Adam adam = new Adam(net.parameters(), 1e-3f);
        float[] losses = new float[2];
        List<float[]> grads = null;
        for (int step = 0; step < 2; step++) {
            adam.zeroGrad();
            Tensor loss = Losses.maskedL1(net.forward(x), target, mask);
            loss.backward();
            if (step == 0) grads = net.parameters().stream().map(p -> p.grad().toArray()).toList();
            adam.step();
            losses[step] = loss.item();
        }
        return new Step(losses, grads, net.parameters().stream().map(Tensor::toArray).toList());
    }

    @Test
    void trainingStepMatchesTheReference() {
        Step r = run(REF), c = run(CPU);
        close("loss", r.loss(), c.loss(), 1e-5, 0);
        assertEquals(r.grads().size(), c.grads().size());
        for (int i = 0; i < r.grads().size(); i++) close("gradient of parameter " + i, r.grads().get(i), c.grads().get(i), 1e-4, 1e-7);
        // After two Adam steps (lr 1e-3): parameters agree to a small fraction of one step.
        for (int i = 0; i < r.params().size(); i++) close("parameter " + i + " after Adam", r.params().get(i), c.params().get(i), 1e-5, 2e-5);
    }
}
