package dev.millrace.jobs.training.model;

import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.cli.SparkCommand;
import dev.millrace.jobs.features.TrainingSetSettings;
import dev.millrace.jobs.training.LogicalDates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.util.Optional;

/** {@code millrace train}: ALS candidates and the DJL ranker, registered as a candidate model version. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Fit Spark MLlib ALS (implicit feedback) on the interactions before the training set's "
                + "validation cut (factors into Delta), train the ranker with DJL (PyTorch, CPU) on the exported "
                + "shards (export-training; run here if missing) over the features and the ALS score, and register "
                + "a candidate version in the model registry (millrace.models).",
                "A version for the same date from the same table versions already exists: nothing is done."},
        footer = {"", "Examples:", "  bin/millrace train", "  bin/millrace train --date 2018-09-24"})
public final class TrainCommand extends SparkCommand {

    @Option(names = "--date", paramLabel = "YYYY-MM-DD",
            description = "Logical date (default: the date of the latest interaction).")
    LocalDate date;

    @Override
    protected String jobName() {
        return "train";
    }

    @Override
    protected int run(JobContext ctx, RunReport report) throws Exception {
        ctx.catalog().registerAll();
        LocalDate d = LogicalDates.resolve(Optional.ofNullable(date), ctx.spark(),
                TrainingSetSettings.from(ctx.config()).labels().qualified());
        return new TrainJob(ctx.spark(), ctx.config()).run(d, report);
    }
}
