package dev.deepanat.app;

import com.google.gson.GsonBuilder;
import dev.deepanat.eval.Metrics;
import dev.deepanat.report.HtmlReport;
import dev.deepanat.report.Provenance;
import dev.deepanat.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code deepanat evaluate --pred F --ref F --mask F [--json]}: scores a synthesized image against the reference. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Score a predicted image against the reference inside a mask: SSIM, PSNR, MAE and MSE (standardized).")
public final class EvaluateCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--pred", required = true, paramLabel = "FILE", description = "the predicted (synthesized) image")
    Path pred;

    @Option(names = "--ref", required = true, paramLabel = "FILE", description = "the reference image, on the same grid")
    Path ref;

    @Option(names = "--mask", required = true, paramLabel = "FILE", description = "the mask: voxels > 0.5 are scored")
    Path mask;

    @Option(names = "--json", description = "print one JSON object {ssim, mae, psnr, mse, voxels} instead of a line of text")
    boolean json;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write a self-contained HTML page: the metrics and the prediction, reference and |error| in a 3-plane viewer.")
    Path report;

    @Override
    public Integer call() {
        Invocation inv = Invocation.of(spec);
        Metrics m = Metrics.ofFiles(pred, ref, mask);
        if (report != null) HtmlReport.write(report, RunReport.forEvaluation(pred, ref, mask, m.toMap(),
                Provenance.of(inv.commandLine(), null, inv.started())));
        PrintWriter out = spec.commandLine().getOut();
        // identical images give PSNR = Infinity, which Gson refuses by default; written as Python's json does
        out.println(json ? new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(m.toMap()) : m);
        out.flush();
        return 0;
    }
}
