package dev.millrace.jobs.sql;

import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.cli.SparkCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code millrace sql}: runs a Spark SQL statement over the lake's tables, addressed by name. */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = {"Run Spark SQL over the lake's tables (layer.name, e.g. silver.ratings), time travel included."},
        footer = {"", "Examples:",
                "  bin/millrace sql \"SELECT item_id, count(*) n FROM silver.ratings GROUP BY item_id ORDER BY n DESC "
                        + "LIMIT 10\"",
                "  bin/millrace sql --format csv \"SELECT * FROM silver.ratings VERSION AS OF 0 LIMIT 5\"",
                "  bin/millrace sql \"SELECT reason, count(*) FROM quarantine.ratings GROUP BY reason\""})
public final class SqlCommand extends SparkCommand {

    @Parameters(index = "0", paramLabel = "STATEMENT", description = "The SQL statement.")
    String statement;

    @Option(names = "--format", defaultValue = "table", paramLabel = "FORMAT",
            description = "table, csv or json (JSON Lines) (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--limit", defaultValue = "1000", description = "Rows to print at most (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    protected String jobName() {
        return "sql";
    }

    @Override
    protected boolean writesReport() {
        return false;
    }

    @Override
    protected int run(JobContext ctx, RunReport report) {
        ResultFormat f = ResultFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT));
        new ResultPrinter(System.out).print(ctx.spark().sql(statement), f, limit);
        return ExitCodes.OK;
    }
}
