package dev.millrace.jobs.training.evaluate;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.features.TrainingSetSettings;
import dev.millrace.jobs.training.CandidateRanking;
import dev.millrace.jobs.training.TrainingSettings;
import dev.millrace.jobs.training.model.KeyedAls;
import dev.millrace.jobs.training.model.RankerModels;
import dev.millrace.jobs.training.model.TrainJob;
import dev.millrace.udfs.registry.ModelRegistry;
import dev.millrace.udfs.registry.ModelVersion;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

/**
 * {@code evaluate}: on the time-based holdout (the training set's test split: positives from its cut on), Recall@K,
 * NDCG@K, MAP@K and catalogue coverage of the candidate ranker, its ALS alone, a popularity baseline and (when there
 * is one) the current model, all with the items each user interacted with before the cut excluded. The candidate
 * becomes current only if it beats the current model by {@code millrace.evaluate.margin} on
 * {@code millrace.evaluate.metric} (the first model: if it beats both baselines).
 */
public final class EvaluateJob {

    private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);

    /** What evaluation decided. */
    public record Outcome(int exitCode, String candidate, boolean promoted, String verdict,
                          Map<String, Map<String, Double>> methods) {
    }

    private final SparkSession spark;
    private final Lake lake;
    private final TrainingSettings s;
    private final TrainingSetSettings ts;
    private final CandidateRanking ranking;

    public EvaluateJob(SparkSession spark, MillraceConfig config) {
        this.spark = spark;
        this.lake = Lake.from(config);
        this.s = TrainingSettings.from(config);
        this.ts = TrainingSetSettings.from(config);
        this.ranking = new CandidateRanking(spark, config);
        new LakeCatalog(spark, lake).registerAll();
    }

    public Outcome run(LocalDate date, Optional<String> version, RunReport report) {
        ModelRegistry registry = RankerModels.registry(s);
        ModelVersion candidate = version.map(v -> registry.get(v).orElseThrow(() ->
                        new IllegalArgumentException("no model version " + v + " in " + registry.root())))
                // Only finished versions (a verdict, at least "candidate"): never one a crashed train left half made.
                .or(() -> registry.latest(v -> v.evaluation() != null && v.logicalDate().equals(date.toString())))
                .or(() -> registry.latest(v -> v.evaluation() != null))
                .orElseThrow(() -> new IllegalStateException("no model in " + registry.root() + ": run train first"));
        // The champion alias (a legacy registry's CURRENT); verdicts keep calling it "current", which schedulers read.
        Optional<ModelVersion> current = registry.champion();
        report.put("candidate", candidate.version());
        report.put("current", current.map(ModelVersion::version).orElse("none"));
        if (current.isPresent() && current.get().version().equals(candidate.version())) {
            String verdict = candidate.version() + " is already current";
            report.put("verdict", verdict);
            return new Outcome(ExitCodes.OK, candidate.version(), true, verdict, Map.of());
        }

        int k = s.evalK();
        Dataset<Row> trainingSet = spark.read().format("delta").load(lake.location(ts.table()));
        TrainJob.Cuts cuts = TrainJob.cuts(trainingSet);
        Timestamp cut = Timestamp.from(cuts.testFrom());
        Dataset<Row> known = keys(spark.read().format("delta").load(lake.location(ts.labels()))
                .where(col("event_time").lt(lit(cut)))).distinct()
                .persist(StorageLevel.MEMORY_AND_DISK());
        KeyedAls als = RankerModels.als(spark, lake, s, registry, candidate);
        Dataset<Row> alsUsers = als.users();
        Dataset<Row> truth = keys(trainingSet.where(col("split").equalTo("test").and(col("label").gt(0)))).distinct()
                .join(known, new String[] {"user_id", "item_id"}, "left_anti")
                .join(alsUsers, "user_id")
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> users = truth.select("user_id").distinct();
        long catalogue = known.select("item_id").distinct().count();
        report.put("holdout_from", cuts.testFrom().toString());
        report.put("holdout_users", users.count());
        report.put("holdout_interactions", truth.count());
        report.put("catalogue_items", catalogue);

        Map<String, Map<String, Double>> methods = new LinkedHashMap<>();
        Dataset<Row> cands = ranking.candidates(als, users, known, s.evalCandidates(), s.maxFetch())
                .persist(StorageLevel.MEMORY_AND_DISK());
        // RankingMetrics keeps each method's top k while it runs its two actions: the scored rows are computed once.
        Dataset<Row> ranked = ranking.score(ranking.withFeatures(ranking.withPopular(als, cands, users, known),
                cuts.testFrom()), registry, candidate, s.scoreBatchSize());
        methods.put("ranker " + candidate.version(), RankingMetrics.compute(
                CandidateRanking.topK(ranked, RankerModels.SCORE_COLUMN, k), truth, k, catalogue));
        methods.put("als alone", RankingMetrics.compute(CandidateRanking.topK(cands, "als_score", k), truth, k,
                catalogue));
        methods.put("popularity", RankingMetrics.compute(CandidateRanking.popularUnseen(known, users, k,
                s.popularMaxKnown()), truth, k,
                catalogue));
        if (current.isPresent()) {
            ModelVersion cur = current.get();
            KeyedAls curAls = RankerModels.als(spark, lake, s, registry, cur);
            Dataset<Row> curCands = ranking.withPopular(curAls, ranking.candidates(curAls, users, known,
                    s.evalCandidates(), s.maxFetch()), users, known);
            Dataset<Row> curRanked = ranking.score(ranking.withFeatures(curCands, cuts.testFrom()), registry, cur,
                    s.scoreBatchSize());
            methods.put("current " + cur.version(), RankingMetrics.compute(
                    CandidateRanking.topK(curRanked, RankerModels.SCORE_COLUMN, k), truth, k, catalogue));
        }
        cands.unpersist();
        truth.unpersist();
        known.unpersist();

        String metric = s.metric();
        double mine = methods.get("ranker " + candidate.version()).get(metric);
        boolean promote;
        String verdict;
        if (current.isPresent()) {
            double theirs = methods.get("current " + current.get().version()).get(metric);
            promote = mine > theirs + s.margin();
            verdict = String.format(Locale.ROOT, "%s %s %s=%.4f %s current %s (%.4f) by the margin %.4f",
                    promote ? "promoted:" : "not promoted:", candidate.version(), metric, mine,
                    promote ? "beats" : "does not beat", current.get().version(), theirs, s.margin());
        } else {
            double alsAlone = methods.get("als alone").get(metric);
            double pop = methods.get("popularity").get(metric);
            boolean beats = mine > alsAlone && mine > pop;
            promote = beats || !s.firstMustBeatBaselines();
            verdict = String.format(Locale.ROOT, "%s %s %s=%.4f %s ALS alone (%.4f) and popularity (%.4f); no current "
                            + "model yet%s", promote ? "promoted:" : "not promoted:", candidate.version(), metric, mine,
                    beats ? "beats" : "does not beat both of", alsAlone, pop,
                    beats || !promote ? "" : " (millrace.evaluate.first-must-beat-baselines = false)");
        }
        Map<String, Double> stored = new LinkedHashMap<>();
        methods.forEach((name, values) -> values.forEach((m, v) ->
                stored.put(name.replace(' ', '_') + "." + m, v)));
        registry.update(candidate.withEvaluation(stored, verdict));
        if (promote) {
            registry.setAlias(ModelRegistry.CHAMPION, candidate.version());
        }
        LOG.info(verdict);
        for (Map.Entry<String, Map<String, Double>> e : methods.entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            e.getValue().forEach((key, v) -> m.put(key, key.equals("users") ? (Object) v.longValue()
                    : String.format(Locale.ROOT, "%.4f", v)));
            report.put(e.getKey().replace(' ', '_'), m);
        }
        report.put("verdict", verdict);
        List<String> shown = new ArrayList<>(List.of("recall_at_" + k, "ndcg_at_" + k, "map_at_" + k, "coverage"));
        String chart = EvaluationChart.write(lake.runsLocation() + "/evaluate/" + date + "-" + candidate.version()
                        + ".html", EvaluationChart.html("Evaluation of " + candidate.version() + " (" + date + ")",
                        methods, shown, verdict), spark.sparkContext().hadoopConfiguration());
        report.put("chart", chart);
        return new Outcome(promote ? ExitCodes.OK : ExitCodes.NOT_PROMOTED, candidate.version(), promote, verdict,
                methods);
    }

    /** {@code (user_id, item_id)} of some rows, as string keys. */
    private static Dataset<Row> keys(Dataset<Row> rows) {
        return rows.select(col("user_id").cast("string").as("user_id"), col("item_id").cast("string").as("item_id"));
    }
}
