package dev.deepanat.app;

import dev.deepanat.common.UserError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code deepanat} command line: one subcommand per job, each in its own class. */
@Command(name = "deepanat",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Synthesize T1-weighted anatomy from diffusion MRI with a pure-Java deep learning engine.",
        subcommands = {
                CommandLine.HelpCommand.class,
                DemoCommand.class,
                PhantomCommand.class,
                PrepareCommand.class,
                ImportHcpCommand.class,
                TrainCommand.class,
                TrainGanCommand.class,
                PredictCommand.class,
                BidsCommand.class,
                EvaluateCommand.class,
                ReportCommand.class,
                ResampleCommand.class,
                InfoCommand.class,
                ConvertCommand.class,
                BenchCommand.class,
                ProfileCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code; user errors print one line, never a stack trace. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            cmd.getErr().println("deepanat " + cmd.getCommandName() + ": " + msg);
            if (Boolean.getBoolean("deepanat.debug")) ex.printStackTrace(cmd.getErr());
            return ex instanceof UserError ? 2 : 1;
        });
        // An unknown option or a bad value is one line too, naming the command and where its help is.
        cl.setParameterExceptionHandler((ex, argv) -> {
            String name = ex.getCommandLine().getCommandSpec().qualifiedName();
            ex.getCommandLine().getErr().println(name + ": " + ex.getMessage() + " (see " + name + " --help)");
            return 2;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // Dropping the references the failed command held lets this message print; the run cannot go on.
            long max = Runtime.getRuntime().maxMemory() >> 20;
            String cmd = cl.getParseResult() != null && cl.getParseResult().subcommand() != null
                    ? cl.getParseResult().subcommand().commandSpec().name() : "";
            System.err.println("deepanat " + cmd + ": out of memory with a Java heap of " + max + " MiB; give it more with"
                    + " DEEPANAT_JAVA_OPTS=-Xmx<size>g (the launcher takes 75% of the machine's memory by default),"
                    + " or use less (predict --tiling blocks, a smaller --block)");
            return 2;
        }
    }
}
