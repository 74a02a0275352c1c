package dev.millrace.streaming;

import dev.millrace.core.run.ExitCodes;
import dev.millrace.streaming.cli.KafkaCommand;
import dev.millrace.streaming.cli.ProduceCommand;
import dev.millrace.streaming.cli.StreamCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the streaming commands ({@code bin/millrace kafka | produce | stream flink}) and the main class of
 * the jar for {@code flink run}. Every other command belongs to {@code dev.millrace.jobs.Main}.
 */
@Command(name = "millrace", mixinStandardHelpOptions = true, version = "millrace 0.1.0",
        description = "Streaming: a local Kafka broker, an event producer and the Flink job.",
        subcommands = {KafkaCommand.class, ProduceCommand.class, StreamCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (without exiting). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            StringBuilder msg = new StringBuilder("error: ").append(ex.getMessage());
            for (Throwable c = ex.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                msg.append("\n  caused by: ").append(c);
            }
            cmd.getErr().println(msg);
            org.slf4j.LoggerFactory.getLogger(Main.class).debug("command failed", ex);
            return ExitCodes.FAILED;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
