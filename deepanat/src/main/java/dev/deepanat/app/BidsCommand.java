package dev.deepanat.app;

import dev.deepanat.bids.BidsGroup;
import dev.deepanat.bids.BidsParticipant;
import dev.deepanat.bids.ParticipantRequest;
import dev.deepanat.bids.Shard;
import dev.deepanat.common.UserError;
import dev.deepanat.infer.Tiling;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code deepanat bids}: the BIDS App (participant and group levels). */
@Command(name = "bids", mixinStandardHelpOptions = true,
        description = {"BIDS App: synthesize a T1w for every DWI of a BIDS dataset into a BIDS derivative dataset (participant), "
                + "then a QC table and an HTML overview of all processed subjects (group).",
                "Exit code 0 when every selected participant succeeded, 2 when any failed (one line each on stderr; the others still run)."})
public final class BidsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BIDS_DIR", description = "the raw BIDS dataset") Path bidsDir;
    @Parameters(index = "1", paramLabel = "OUTPUT_DIR", description = "the derivative dataset to write (or read, for group)") Path outDir;
    @Parameters(index = "2", paramLabel = "LEVEL", description = "participant or group") String level;
    @Option(names = "--participant-label", arity = "1..*", paramLabel = "LABEL", description = "participants to run, without sub- (default: all)") List<String> labels = new ArrayList<>();
    @Option(names = "--session", arity = "1..*", paramLabel = "LABEL", description = "sessions to run, without ses- (default: all)") List<String> sessions = new ArrayList<>();
    @Option(names = "--model", description = "checkpoint (best.safetensors of a train run); required for participant") Path model;
    @Option(names = "--shard", paramLabel = "i/N", description = "run only the participants at sorted positions i-1, i-1+N, ... (1 <= i <= N; 0 means N, for 0-based job arrays)") String shard;
    @Option(names = "--skip-existing", description = "skip runs whose outputs are all present") boolean skipExisting;
    @Option(names = "--work-dir", description = "folder for intermediate files (default: OUTPUT_DIR/.deepanat-work; removed after each run)") Path workDir;
    @Option(names = "--mask-dir", description = "a derivative dataset holding brain masks (sub-X[/ses-Y]/dwi/<dwi entities>_*mask.nii.gz); default: computed") Path maskDir;
    @Option(names = "--tiling", defaultValue = "whole", description = "whole (one pass, default) or blocks (the original's; less memory)") String tiling;
    @Option(names = "--threads", defaultValue = "0", description = "tensor-fit threads; 0 = number of cores") int threads;
    @Option(names = "--device", description = "Backend: auto (cuda when available, else the fastest CPU backend; the default), cuda, cpu, reference or checked.") String device;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        BidsParticipant.Reporter rep = new BidsParticipant.Reporter() {
            @Override public void info(String line) { out.println(line); out.flush(); }
            @Override public void problem(String line) { err.println("deepanat bids: " + line); err.flush(); }
        };
        switch (level.toLowerCase(Locale.ROOT)) {
            case "participant" -> {
                Tiling t = switch (tiling.toLowerCase(Locale.ROOT)) {
                    case "blocks" -> Tiling.BLOCKS;
                    case "whole" -> Tiling.WHOLE;
                    default -> throw new UserError("--tiling " + tiling + ": blocks or whole");
                };
                BidsParticipant.Summary s = BidsParticipant.run(new ParticipantRequest(bidsDir, outDir, labels, sessions, model,
                        Shard.parse(shard), skipExisting, workDir, maskDir, t, threads), DeviceOption.pick(device), new ConsoleProgress(), rep);
                double other = s.totalSeconds() + s.jvmStartSeconds() - s.prepareSeconds() - s.forwardSeconds();
                double whole = s.totalSeconds() + s.jvmStartSeconds();
                out.printf(Locale.ROOT, "participant: %d run(s) done, %d skipped (complete), %d participant(s) failed; %.1f s with JVM start %.1f s,"
                                + " model load %.1f s, prepare %.1f s, forward pass %.1f s, other %.1f s (%.1f%% outside prepare and the forward pass)%n",
                        s.done(), s.skipped(), s.failed(), whole, s.jvmStartSeconds(), s.modelLoadSeconds(), s.prepareSeconds(),
                        s.forwardSeconds(), other, whole > 0 ? 100 * other / whole : 0);
                return s.ok() ? 0 : 2;
            }
            case "group" -> {
                BidsGroup.Summary g = BidsGroup.run(bidsDir, outDir, labels, rep);
                out.printf(Locale.ROOT, "group: %d run(s) in %s and %s%n", g.rows(), g.tsv(), g.html());
                return g.problems() == 0 ? 0 : 2;
            }
            default -> throw new UserError("LEVEL " + level + ": participant or group");
        }
    }
}
