package dev.deepanat.kernels.cpu;

import dev.deepanat.engine.backend.ConvGeometry;
import dev.deepanat.engine.backend.Storage;
import dev.deepanat.infer.Predictor;
import dev.deepanat.infer.Synthesis;
import dev.deepanat.infer.Tiling;
import dev.deepanat.nifti.Nifti;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Winograd path's error on a trained U-Net's real activations (not a test; {@code benchmarks/winograd_error.sh}):
 * synthesizes one subject with a checkpoint twice, on the cpu backend with Winograd on and off. During the Winograd
 * run, every convolution that takes the Winograd path is also computed directly on the same input (the activations
 * the Winograd network produced up to there), and its error is reported per layer; then the two whole-network
 * outputs are compared.
 *   args: CHECKPOINT SUBJECT_DIR OUT_DIR [whole|blocks]
 */
public final class WinogradError {
    record LayerError(String shape, double relL2, double relMax) {}

    /** Winograd on, and each of its convolutions checked against the direct kernels on the same inputs. */
    static final class Comparing extends CpuBackend {
        final CpuBackend direct = new CpuBackend();
        final List<LayerError> errors = new ArrayList<>();

        Comparing() {
            winograd(true);
            direct.winograd(false);
        }

        @Override
        public void conv3d(ConvGeometry g, Storage x, Storage w, Storage b, Storage y) {
            super.conv3d(g, x, w, b, y);
            if (Winograd.use(g)) check(g, y, () -> direct.conv3d(g, x, w, b, tmp(g)));
        }

        @Override
        public void conv3dRelu(ConvGeometry g, Storage x, Storage w, Storage b, Storage y) {
            super.conv3dRelu(g, x, w, b, y);
            if (Winograd.use(g)) check(g, y, () -> direct.conv3dRelu(g, x, w, b, tmp(g)));
        }

        @Override
        public void conv3dSkipUp(ConvGeometry g, int cSkip, Storage skip, Storage low, Storage w, Storage b, Storage y, boolean relu) {
            super.conv3dSkipUp(g, cSkip, skip, low, w, b, y, relu);
            if (Winograd.use(g)) check(g, y, () -> direct.conv3dSkipUp(g, cSkip, skip, low, w, b, tmp(g), relu));
        }

        private Storage tmp;

        private Storage tmp(ConvGeometry g) {
            tmp = direct.allocateUninitialized(g.outputSize());
            return tmp;
        }

        private void check(ConvGeometry g, Storage y, Runnable runDirect) {
            runDirect.run();
            double[] e = relativeErrors(arr(y), arr(tmp));
            tmp.free();
            errors.add(new LayerError(g.cIn() + "→" + g.cOut() + " @ " + g.d() + "×" + g.h() + "×" + g.w(), e[0], e[1]));
        }
    }

    public static void main(String[] a) throws Exception {
        Path model = Path.of(a[0]), subject = Path.of(a[1]), out = Path.of(a[2]);
        Tiling tiling = a.length > 3 && a[3].equals("blocks") ? Tiling.BLOCKS : Tiling.WHOLE;
        Files.createDirectories(out);
        Comparing wino = new Comparing();
        Predictor.Listener quiet = new Predictor.Listener() {};
        var rw = Synthesis.run(new Synthesis.Request(model, subject, out.resolve("winograd.nii.gz"), tiling, 5, 3, null), wino, quiet);
        CpuBackend direct = new CpuBackend();
        direct.winograd(false);
        var rd = Synthesis.run(new Synthesis.Request(model, subject, out.resolve("direct.nii.gz"), tiling, 5, 3, null), direct, quiet);
        System.out.println("layer (in→out @ size)        rel. L2 error   max |error| / max |y|");
        double worst = 0;
        for (LayerError e : wino.errors) {
            System.out.printf(Locale.ROOT, "%-28s %12.2e   %12.2e%n", e.shape(), e.relL2(), e.relMax());
            worst = Math.max(worst, e.relL2());
        }
        double[] e = relativeErrors(Nifti.read(rw.normalized()).data(), Nifti.read(rd.normalized()).data());
        System.out.printf(Locale.ROOT, "%d convolutions on the Winograd path; worst per-layer rel. L2 error %.2e%n", wino.errors.size(), worst);
        System.out.printf(Locale.ROOT, "whole network (%s tiling, normalized output): rel. L2 error %.2e, max |error| / max |y| %.2e%n",
                tiling.name().toLowerCase(Locale.ROOT), e[0], e[1]);
    }

    /** {‖got − ref‖₂ / ‖ref‖₂, max |got − ref| / max |ref|}, 0 where the reference is all zeros. */
    static double[] relativeErrors(float[] got, float[] ref) {
        double num = 0, den = 0, maxErr = 0, maxRef = 0;
        for (int i = 0; i < got.length; i++) {
            double e = (double) got[i] - ref[i];
            num += e * e;
            den += (double) ref[i] * ref[i];
            maxErr = Math.max(maxErr, Math.abs(e));
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        return new double[] {den == 0 ? 0 : Math.sqrt(num / den), maxRef == 0 ? 0 : maxErr / maxRef};
    }
}
