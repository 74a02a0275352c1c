package dev.millrace.jobs.demo;

import dev.millrace.core.run.RunReport;
import dev.millrace.featurestore.offline.SnapshotTimes;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.features.FeaturesJob;
import dev.millrace.jobs.features.TrainingSetJob;
import dev.millrace.jobs.training.TrainingSettings;
import dev.millrace.jobs.training.evaluate.EvaluateJob;
import dev.millrace.jobs.training.export.TrainingExport;
import dev.millrace.jobs.training.model.RankerModels;
import dev.millrace.jobs.training.model.TrainJob;
import dev.millrace.jobs.training.score.ScoreJob;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;
import java.util.Locale;
import java.util.Optional;

/**
 * The demo's batch ML part: features for the last months of the generated data, training set, export, train,
 * evaluate and score. Each step is the same job the commands run, so re-running the demo changes nothing that is
 * already there.
 */
final class DemoTraining {

    private final JobContext ctx;
    private final LocalDate end;
    private final DemoSteps steps;

    DemoTraining(JobContext ctx, LocalDate end, DemoSteps steps) {
        this.ctx = ctx;
        this.end = end;
        this.steps = steps;
    }

    /** Runs features through score; returns whether a current model scored users into gold.recommendations. */
    boolean run(RunReport report) throws Exception {
        SparkSession spark = ctx.spark();
        LocalDate labelsFrom = end.minusMonths(4).withDayOfMonth(1);
        steps.begin("features: snapshots every 14 days from " + labelsFrom.minusDays(1) + " to " + end);
        RunReport features = new RunReport("features");
        new FeaturesJob(spark, ctx.config()).run(SnapshotTimes.range(labelsFrom.minusDays(1), end, 14), features);
        RunReport latest = new RunReport("features");
        new FeaturesJob(spark, ctx.config()).run(SnapshotTimes.of(end), latest);
        steps.line(features.get("features") + " feature definitions");
        for (RunReport r : java.util.List.of(features, latest)) {
            StringBuilder line = new StringBuilder(String.valueOf(r.get("dates"))).append(':');
            if (r.get("tables") instanceof java.util.Map<?, ?> written) {
                written.forEach((table, t) -> line.append(' ').append(table).append(' ')
                        .append(t instanceof java.util.Map<?, ?> m ? m.get("rows") : "?").append(" rows;"));
            }
            if (r.get("unchanged") instanceof java.util.List<?> same && !same.isEmpty()) {
                line.append(" unchanged (same inputs): ").append(String.join(", ", same.stream().map(String::valueOf).toList()));
            }
            steps.line(line.toString());
        }

        steps.begin("training-set: labels from " + labelsFrom + ", time split, negatives, features as of each label");
        RunReport set = new RunReport("training-set");
        new TrainingSetJob(spark, ctx.config()).run(Optional.of(labelsFrom), Optional.empty(), set);
        steps.line(set.get("table") + " " + set.get("rows")
                + (Boolean.TRUE.equals(set.get("unchanged")) ? " (unchanged)" : ""));

        TrainingSettings s = TrainingSettings.from(ctx.config());
        steps.begin("export-training: " + s.shards() + " Parquet shards + manifest.json");
        TrainingExport.Result export = new TrainingExport(spark, ctx.config()).run(end, s.shards(), s.exportSeed(),
                Optional.empty());
        steps.line(export.manifest().folder() + ": " + export.manifest().totalRows() + " rows"
                + (export.unchanged() ? " (unchanged)" : ""));

        steps.begin("train: ALS candidates + DJL ranker -> model registry");
        RunReport train = new RunReport("train");
        new TrainJob(spark, ctx.config()).run(end, train);
        steps.line("model version " + train.get("model_version")
                + (train.get("skipped") != null ? " (already trained for these inputs)" : ""));

        steps.begin("evaluate on the time-based holdout (ranker vs ALS alone vs popularity)");
        RunReport eval = new RunReport("evaluate");
        EvaluateJob.Outcome outcome = new EvaluateJob(spark, ctx.config()).run(end, Optional.empty(), eval);
        outcome.methods().forEach((name, m) -> steps.line(String.format(Locale.ROOT,
                "%-16s recall@10 %.4f  ndcg@10 %.4f  map@10 %.4f  coverage %.4f", name,
                m.get("recall_at_10"), m.get("ndcg_at_10"), m.get("map_at_10"), m.get("coverage"))));
        steps.line(outcome.verdict());
        report.put("evaluate", outcome.verdict());

        steps.begin("score: top " + s.scoreK() + " per user into gold.recommendations, popularity into gold.popular_items");
        if (RankerModels.registry(s).champion().isEmpty()) {
            steps.line("no champion model, so nothing to score (bin/millrace models lists the versions)");
            return false;
        }
        RunReport score = new RunReport("score");
        new ScoreJob(spark, ctx.config()).run(end, s.scoreK(), score.runId(), score);
        steps.line(score.get("skipped") != null ? score.get("skipped") + " (already scored)"
                : "users " + score.get("users") + ", model " + score.get("model_version"));
        report.put("model_version", score.get("model_version"));
        return true;
    }
}
