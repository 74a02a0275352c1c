package dev.millrace.jobs.training.evaluate;

import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.cli.SparkCommand;
import dev.millrace.jobs.features.TrainingSetSettings;
import dev.millrace.jobs.training.LogicalDates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.util.Optional;

/** {@code millrace evaluate}: holdout metrics and the promotion gate. Exit 4 (NOT_PROMOTED) when the gate says no. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Evaluate the newest model version (of --date, else the newest) on the time-based holdout "
                + "(the training set's test split): Recall@K, NDCG@K, MAP@K and catalogue coverage of the ranker, "
                + "ALS alone, popularity and the current model. Promote it when it beats the current model by "
                + "millrace.evaluate.margin (the first model: when it beats both baselines).",
                "Exit 0: the candidate is (now) current. Exit 4: not promoted, with the reason."},
        footer = {"", "Examples:", "  bin/millrace evaluate", "  bin/millrace evaluate --date 2018-09-24",
                "  bin/millrace evaluate --model-version v0003"})
public final class EvaluateCommand extends SparkCommand {

    @Option(names = "--date", paramLabel = "YYYY-MM-DD",
            description = "Logical date: evaluates the newest version trained for it (default: latest interaction).")
    LocalDate date;

    @Option(names = "--model-version", paramLabel = "ID", description = "Evaluate this version instead.")
    String version;

    @Override
    protected String jobName() {
        return "evaluate";
    }

    @Override
    protected int run(JobContext ctx, RunReport report) {
        ctx.catalog().registerAll();
        LocalDate d = LogicalDates.resolve(Optional.ofNullable(date), ctx.spark(),
                TrainingSetSettings.from(ctx.config()).labels().qualified());
        report.put("logical_date", d.toString());
        EvaluateJob.Outcome o = new EvaluateJob(ctx.spark(), ctx.config()).run(d, Optional.ofNullable(version), report);
        System.out.println(o.verdict());
        return o.exitCode();
    }
}
