package dev.millrace.streaming.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/millrace stream <engine>}: the streaming jobs; this module runs {@code flink}. */
@Command(name = "stream", mixinStandardHelpOptions = true, subcommands = FlinkCommand.class,
        description = "Streaming jobs: events topic -> validation (DLQ) -> online features and bronze.events.")
public final class StreamCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
