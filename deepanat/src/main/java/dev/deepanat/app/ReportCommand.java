package dev.deepanat.app;

import dev.deepanat.report.HtmlReport;
import dev.deepanat.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code deepanat report DIR}: the self-contained HTML report of a demo folder or a train run folder. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write one self-contained HTML page (no server, no network) for a demo output folder or a train run folder:"
                + " provenance, metrics, interactive loss curves and the volumes in a 3-plane viewer.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "A demo output folder (report.json) or a train / train-gan run folder (history.csv).")
    Path dir;
    @Option(names = "--out", description = "The page to write (default DIR/report.html).")
    Path out;

    @Override
    public Integer call() {
        Path html = out != null ? out : dir.resolve(RunReport.FILE);
        long bytes = HtmlReport.write(html, RunReport.forDir(dir));
        System.out.printf(java.util.Locale.ROOT, "report: wrote %s (%.1f MB); open it in a browser%n", html, bytes / 1e6);
        return 0;
    }
}
