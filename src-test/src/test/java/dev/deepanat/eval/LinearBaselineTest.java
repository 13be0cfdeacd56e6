package dev.deepanat.eval;

import dev.deepanat.data.Grid;
import dev.deepanat.data.InputChannels;
import dev.deepanat.data.Subject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The demo's baseline recovers an exactly linear relation, and fits only inside the mask. */
class LinearBaselineTest {
    @Test
    void recoversAnExactLinearMapInsideTheMask() {
        SplittableRandom rng = new SplittableRandom(3);
        double[] truth = new double[InputChannels.COUNT + 1];
        for (int i = 0; i < truth.length; i++) truth[i] = rng.nextDouble(-2, 2);
        int n = 10, vox = n * n * n;
        float[][] in = new float[InputChannels.COUNT][vox];
        float[] mask = new float[vox], target = new float[vox];
        for (int v = 0; v < vox; v++) {
            mask[v] = v % 7 == 0 ? 0 : 1;
            double t = truth[0];
            for (int c = 0; c < InputChannels.COUNT; c++) {
                in[c][v] = (float) rng.nextGaussian();
                t += truth[c + 1] * in[c][v];
            }
            target[v] = mask[v] > 0 ? (float) t : 1e6f; // garbage outside the mask must not matter
        }
        double[][] eye = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
        Subject s = new Subject("s", new Grid(n, n, n, eye), null, in, mask, target, null);
        LinearBaseline fit = LinearBaseline.fit(List.of(s));
        double[] c = fit.coefficients();
        for (int i = 0; i < truth.length; i++) assertEquals(truth[i], c[i], 1e-4, "coefficient " + i);
        float[] p = fit.predict(s);
        for (int v = 0; v < vox; v++) assertEquals(mask[v] > 0 ? target[v] : 0f, p[v], 1e-3);
    }
}
