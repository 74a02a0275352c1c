package dev.millrace.jobs.ingest;

import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.cli.SparkCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.time.LocalDate;

/** {@code millrace ingest}: files into bronze, silver and quarantine Delta tables. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Ingest interaction files into bronze.<entity>, silver.<entity> and quarantine.<entity>.",
                "Only files not ingested before are read; re-running changes nothing. Exit code 3 when more rows "
                        + "are rejected than millrace.ingest.max-reject-ratio allows."},
        footer = {"", "Examples:",
                "  bin/millrace ingest --source data/gen --format movielens",
                "  bin/millrace ingest --source /landing/events --format json --mapping conf/mappings/events.conf "
                        + "--date 2024-06-01"})
public final class IngestCommand extends SparkCommand {

    @Option(names = "--source", required = true, paramLabel = "PATH", description = "Source folder or file.")
    String source;

    @Option(names = "--format", defaultValue = "movielens", paramLabel = "FORMAT",
            description = "movielens, csv, json or parquet (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--mapping", paramLabel = "FILE",
            description = "Column mapping (HOCON, see docs/ingest.md); required for csv, json and parquet.")
    File mapping;

    @Option(names = "--date", paramLabel = "YYYY-MM-DD",
            description = "Logical date of the run; reads SOURCE/date=YYYY-MM-DD or SOURCE/YYYY-MM-DD if present.")
    LocalDate date;

    @Override
    protected String jobName() {
        return "ingest";
    }

    @Override
    protected int run(JobContext ctx, RunReport report) {
        return new IngestJob(ctx.spark(), ctx.config()).run(new IngestRequest(source, format, mapping, date), report);
    }
}
