package dev.millrace.jobs.features;

import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.cli.SparkCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.util.Optional;

/** {@code millrace training-set}: a point-in-time correct training table from labels and the offline store. */
@Command(name = "training-set", mixinStandardHelpOptions = true,
        description = {"Build millrace.training-set.table: each label (an interaction at time t) with the feature "
                + "values of every entity as of t (computed strictly before t), a time-based train/validation/test "
                + "split and, for implicit feedback, deterministic negatives (millrace.training-set.*).",
                "Run `features` first for the dates the labels span (for example --from/--to with a daily interval)."},
        footer = {"", "Examples:",
                "  bin/millrace features --from 2018-01-01 --to 2018-09-30",
                "  bin/millrace training-set --from 2018-02-01 --to 2018-09-30",
                "  bin/millrace training-set -Dmillrace.training-set.label=explicit"})
public final class TrainingSetCommand extends SparkCommand {

    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First event date of the labels.")
    LocalDate from;

    @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Last event date of the labels.")
    LocalDate to;

    @Override
    protected String jobName() {
        return "training-set";
    }

    @Override
    protected int run(JobContext ctx, RunReport report) {
        return new TrainingSetJob(ctx.spark(), ctx.config())
                .run(Optional.ofNullable(from), Optional.ofNullable(to), report);
    }
}
