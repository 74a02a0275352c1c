package dev.millrace.jobs;

import dev.millrace.core.run.ExitCodes;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of every Millrace command, for {@code bin/millrace <command>} and for
 * {@code spark-submit --class dev.millrace.jobs.Main millrace-jobs.jar <command>}.
 */
@Command(name = "millrace", mixinStandardHelpOptions = true, version = "millrace 0.1.0",
        description = "Data pipeline and batch inference on Spark, Delta Lake and DJL.",
        subcommands = {CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  bin/millrace demo",
                "  bin/millrace generate --out data/gen --users 1000 --items 500 --events 100000",
                "  bin/millrace ingest --source data/gen --format movielens",
                "  bin/millrace sql \"SELECT count(*) FROM silver.ratings\"",
                "Run 'bin/millrace <command> --help' for a command's options.",
                "",
                "Streaming commands (the streaming module, run by bin/millrace on its own class path):",
                "  kafka            a local single-node Kafka broker (KRaft) until killed",
                "  produce          generated (or a file's) events into a Kafka topic at a steady rate",
                "  stream flink     the Flink job: DLQ, online window features, bronze.events exactly once",
                "  bin/millrace kafka --help | produce --help | stream flink --help"})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = run(args);
        System.exit(code);
    }

    /** Runs a command line and returns its exit code (without exiting: tests call this). */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        return cli.execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        Commands.register(cli);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + describe(ex));
            org.slf4j.LoggerFactory.getLogger(Main.class).debug("command failed", ex);
            return ExitCodes.FAILED;
        });
        return cli;
    }

    private static String describe(Throwable ex) {
        StringBuilder sb = new StringBuilder(String.valueOf(ex.getMessage()));
        for (Throwable c = ex.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append("\n  caused by: ").append(c.getMessage());
            }
        }
        return sb.toString();
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
