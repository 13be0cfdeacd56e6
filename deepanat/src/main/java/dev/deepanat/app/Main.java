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
                InfoCommand.class,
                ConvertCommand.class,
                EvaluateCommand.class,
                ResampleCommand.class,
                PrepareCommand.class,
                PhantomCommand.class,
                BenchCommand.class,
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
        return cl.execute(args);
    }
}
