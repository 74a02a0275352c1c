package dev.millrace.jobs.stream;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code millrace stream}: the streaming jobs. {@code stream spark} runs here; {@code bin/millrace stream flink}
 * is dispatched by the launcher to the streaming module (Flink and Delta Kernel stay off the Spark class path).
 */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = {"Streaming jobs: Kafka events -> validation (DLQ) -> scoring -> bronze.events, exactly once.",
                "  stream spark   Spark Structured Streaming (this process)",
                "  stream flink   the Flink job (bin/millrace runs it from the streaming module)"},
        subcommands = {SparkStreamCommand.class},
        footer = {"", "Examples:", "  bin/millrace stream spark --until-idle", "  bin/millrace stream flink --bounded"})
public final class StreamCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
