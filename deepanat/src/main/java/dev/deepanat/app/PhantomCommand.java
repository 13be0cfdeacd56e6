package dev.deepanat.app;

import dev.deepanat.common.UserError;
import dev.deepanat.phantom.BrainPhantom;
import dev.deepanat.phantom.PhantomLayouts;
import dev.deepanat.phantom.PhantomSpec;
import dev.deepanat.phantom.PhantomSubject;
import dev.deepanat.phantom.PhantomWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code deepanat phantom}: synthetic subjects (DWI + bval/bvec, T1w, mask) with known tissue structure. */
@Command(name = "phantom", mixinStandardHelpOptions = true,
        description = "Write synthetic brain subjects: <out>/<sj>/<sj>_dwi.nii.gz, _dwi.bval, _dwi.bvec, _t1w.nii.gz, _mask.nii.gz; or as a raw BIDS dataset, or in the HCP layout (--layout).")
public final class PhantomCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, description = "output folder (one sub-folder per subject)") Path out;
    @Option(names = "--subjects", defaultValue = "4", description = "number of subjects; default ${DEFAULT-VALUE}") int subjects;
    @Option(names = "--size", defaultValue = "96", description = "grid size (cube); default ${DEFAULT-VALUE}") int size;
    @Option(names = "--seed", defaultValue = "1", description = "random seed; default ${DEFAULT-VALUE}") long seed;
    @Option(names = "--directions", defaultValue = "60", description = "directions per shell; default ${DEFAULT-VALUE}") int directions;
    @Option(names = "--b0s", defaultValue = "5", description = "number of b=0 volumes; default ${DEFAULT-VALUE}") int b0s;
    @Option(names = "--b2000", description = "add a b=2000 shell with as many directions (always on for --layout hcp)") boolean b2000;
    @Option(names = "--layout", defaultValue = "flat", description = "flat (<out>/<sj>/<sj>_dwi.nii.gz ...), bids (a raw BIDS dataset) or hcp "
            + "(<out>/<id>/T1w/Diffusion/data.nii.gz ...); default ${DEFAULT-VALUE}") String layout;

    @Override
    public Integer call() {
        String lay = layout.toLowerCase(Locale.ROOT);
        if (!PhantomLayouts.layouts().contains(lay)) throw new UserError("--layout " + layout + ": one of " + PhantomLayouts.layouts());
        PhantomSpec ps = new PhantomSpec(subjects, size, seed, directions, b0s, b2000 || lay.equals("hcp"), true);
        if (lay.equals("bids")) PhantomLayouts.writeBidsDataset(out, subjects);
        for (int i = 0; i < subjects; i++) {
            long t0 = System.nanoTime();
            PhantomSubject s = BrainPhantom.generate(ps, i);
            switch (lay) {
                case "bids" -> PhantomLayouts.writeBids(s, i, out);
                case "hcp" -> PhantomLayouts.writeHcp(s, i, out, seed);
                default -> PhantomWriter.write(s, out);
            }
            spec.commandLine().getOut().printf(Locale.ROOT, "phantom %s: %d³ voxels of %.2f mm, %d volumes, %.1f s%n",
                    lay.equals("hcp") ? PhantomLayouts.hcpId(i) : s.id(), size, ps.voxelMm(), s.gradients().count(), (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }
}
