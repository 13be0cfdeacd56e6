package dev.deepanat.train;

import dev.deepanat.diffusion.FitMethod;
import dev.deepanat.diffusion.PreparePipeline;
import dev.deepanat.diffusion.PrepareRequest;
import dev.deepanat.diffusion.ShellChoice;
import dev.deepanat.phantom.BrainPhantom;
import dev.deepanat.phantom.PhantomSpec;
import dev.deepanat.phantom.PhantomWriter;

import java.nio.file.Path;
import java.util.List;

/** A few 24³ phantom subjects simulated and prepared (with their T1w) into {@code root/data/<sj>}: the tests' cohort. */
public final class TinyCohort {
    public static final int SIZE = 24;

    private TinyCohort() {}

    public static Path make(Path root, int subjects) {
        PhantomSpec spec = new PhantomSpec(subjects, SIZE, 3, 12, 2, false, true);
        Path raw = root.resolve("raw"), data = root.resolve("data");
        for (int i = 0; i < subjects; i++) {
            String sj = PhantomSpec.subjectId(i);
            PhantomWriter.write(BrainPhantom.generate(spec, i), raw);
            Path d = raw.resolve(sj);
            PreparePipeline.run(new PrepareRequest(d.resolve(sj + "_dwi.nii.gz"), d.resolve(sj + "_dwi.bval"), d.resolve(sj + "_dwi.bvec"),
                    d.resolve(sj + "_mask.nii.gz"), sj, data.resolve(sj), ShellChoice.parse("1000"), 50, FitMethod.WLS, 0,
                    d.resolve(sj + "_t1w.nii.gz")));
        }
        return data;
    }

    /** A small, fast run: 3 levels of 4 filters on 8³ blocks, 10 blocks per epoch. */
    public static TrainRequest request(Path data, Path out, int epochs, List<String> val, Path init, boolean resume) {
        return new TrainRequest(data, List.of("sub-01", "sub-02"), val, null, null, epochs, 4, 3, 8, 1e-3f, false, 7, init, resume, 10, out);
    }
}
