package dev.deepanat.app;

import picocli.CommandLine.Model.CommandSpec;

import java.time.Instant;

/** The command line as typed and when the command started: the provenance a report shows. */
record Invocation(String commandLine, Instant started) {
    static Invocation of(CommandSpec spec) {
        var parsed = spec.commandLine().getParseResult();
        // the subcommand's parse result holds the whole command line, its own name included
        return new Invocation("deepanat " + String.join(" ", parsed.originalArgs()), Instant.now());
    }
}
