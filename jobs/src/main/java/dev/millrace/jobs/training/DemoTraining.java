package dev.millrace.jobs.training;

import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.featurestore.offline.SnapshotTimes;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.features.FeaturesJob;
import dev.millrace.jobs.features.TrainingSetJob;
import dev.millrace.jobs.sql.ResultFormat;
import dev.millrace.jobs.sql.ResultPrinter;
import dev.millrace.jobs.training.evaluate.EvaluateJob;
import dev.millrace.jobs.training.export.TrainingExport;
import dev.millrace.jobs.training.model.RankerModels;
import dev.millrace.jobs.training.model.TrainJob;
import dev.millrace.jobs.training.score.ScoreJob;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;
import java.util.Optional;

/**
 * The demo's batch ML half (steps 4-9 of {@code demo}): features for the last months of the generated data,
 * training set, export, train, evaluate, score, then a few users' recommendations. Each step is the same job the
 * commands run, so re-running the demo changes nothing that is already there.
 */
public final class DemoTraining {

    private final JobContext ctx;
    private final LocalDate end;

    public DemoTraining(JobContext ctx, LocalDate end) {
        this.ctx = ctx;
        this.end = end;
    }

    public int run(RunReport report) throws Exception {
        SparkSession spark = ctx.spark();
        LocalDate labelsFrom = end.minusMonths(4).withDayOfMonth(1);
        step("4/9 features: snapshots every 14 days from " + labelsFrom.minusDays(1) + " to " + end);
        new FeaturesJob(spark, ctx.config()).run(SnapshotTimes.range(labelsFrom.minusDays(1), end, 14),
                new RunReport("features"));
        new FeaturesJob(spark, ctx.config()).run(SnapshotTimes.of(end), new RunReport("features"));

        step("5/9 training-set: labels from " + labelsFrom + ", time split, negatives, features as of each label");
        new TrainingSetJob(spark, ctx.config()).run(Optional.of(labelsFrom), Optional.empty(),
                new RunReport("training-set"));

        TrainingSettings s = TrainingSettings.from(ctx.config());
        step("6/9 export-training: " + s.shards() + " Parquet shards + manifest.json");
        TrainingExport.Result export = new TrainingExport(spark, ctx.config()).run(end, s.shards(), s.exportSeed(),
                Optional.empty());
        System.out.println("    " + export.manifest().folder() + ": " + export.manifest().totalRows() + " rows"
                + (export.unchanged() ? " (unchanged)" : ""));

        step("7/9 train: ALS candidates + DJL ranker -> model registry");
        RunReport train = new RunReport("train");
        new TrainJob(spark, ctx.config()).run(end, train);
        System.out.println("    model version " + train.get("model_version")
                + (train.get("skipped") != null ? " (already trained)" : ""));

        step("8/9 evaluate on the time-based holdout (ranker vs ALS alone vs popularity)");
        RunReport eval = new RunReport("evaluate");
        EvaluateJob.Outcome outcome = new EvaluateJob(spark, ctx.config()).run(end, Optional.empty(), eval);
        outcome.methods().forEach((name, m) -> System.out.printf(java.util.Locale.ROOT,
                "    %-16s recall@10 %.4f  ndcg@10 %.4f  map@10 %.4f  coverage %.4f%n", name,
                m.get("recall_at_10"), m.get("ndcg_at_10"), m.get("map_at_10"), m.get("coverage")));
        System.out.println("    " + outcome.verdict());

        if (RankerModels.registry(s).current().isEmpty()) {
            System.out.println("    no current model: skipping score (see bin/millrace models)");
            report.put("evaluate", outcome.verdict());
            return ExitCodes.OK;
        }
        step("9/9 score: top 10 per user into gold.recommendations");
        RunReport score = new RunReport("score");
        new ScoreJob(spark, ctx.config()).run(end, s.scoreK(), score.runId(), score);
        System.out.println("    users " + score.get("users") + ", model " + score.get("model_version")
                + (score.get("skipped") != null ? " (already scored)" : ""));
        System.out.println();
        System.out.println("-- Recommendations of three users (try: bin/millrace publish, then bin/millrace serve)");
        new ResultPrinter(System.out).print(spark.sql(
                "SELECT e.user_id, e.pos + 1 AS rank, e.item.item_id AS item_id, m.title, "
                        + "round(e.item.score, 3) AS score FROM (SELECT user_id, posexplode(items) AS (pos, item) "
                        + "FROM (SELECT * FROM gold.recommendations ORDER BY user_id LIMIT 3)) e "
                        + "JOIN silver.movies m ON m.item_id = e.item.item_id WHERE e.pos < 5 "
                        + "ORDER BY e.user_id, rank"), ResultFormat.TABLE, 100);
        report.put("evaluate", outcome.verdict());
        report.put("model_version", score.get("model_version"));
        return ExitCodes.OK;
    }

    private static void step(String s) {
        System.out.println();
        System.out.println("==> " + s);
    }
}
