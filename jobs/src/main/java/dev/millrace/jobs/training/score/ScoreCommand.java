package dev.millrace.jobs.training.score;

import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.cli.SparkCommand;
import dev.millrace.jobs.features.TrainingSetSettings;
import dev.millrace.jobs.training.LogicalDates;
import dev.millrace.jobs.training.TrainingSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.util.Optional;

/** {@code millrace score}: top-K recommendations per user from the current model into gold.recommendations. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score every user's ALS top-N candidates with the current ranker through the DJL UDF and "
                + "write the top K per user to gold.recommendations (read by publish), plus gold.popular_items.",
                "A second run for the same date and model version changes nothing."},
        footer = {"", "Examples:", "  bin/millrace score", "  bin/millrace score --date 2018-09-24 --k 20"})
public final class ScoreCommand extends SparkCommand {

    @Option(names = "--date", paramLabel = "YYYY-MM-DD",
            description = "Logical date: features and history up to its end (default: latest interaction).")
    LocalDate date;

    @Option(names = "--k", paramLabel = "K", description = "Items per user (default: millrace.score.k).")
    Integer k;

    @Override
    protected String jobName() {
        return "score";
    }

    @Override
    protected int run(JobContext ctx, RunReport report) {
        ctx.catalog().registerAll();
        LocalDate d = LogicalDates.resolve(Optional.ofNullable(date), ctx.spark(),
                TrainingSetSettings.from(ctx.config()).labels().qualified());
        int kk = k == null ? TrainingSettings.from(ctx.config()).scoreK() : k;
        return new ScoreJob(ctx.spark(), ctx.config()).run(d, kk, report.runId(), report);
    }
}
