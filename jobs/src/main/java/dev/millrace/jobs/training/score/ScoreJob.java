package dev.millrace.jobs.training.score;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.InputFingerprint;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.features.TrainingSetSettings;
import dev.millrace.jobs.training.CandidateRanking;
import dev.millrace.jobs.training.TrainingSettings;
import dev.millrace.jobs.training.model.RankerModels;
import dev.millrace.udfs.registry.ModelRegistry;
import dev.millrace.udfs.registry.ModelVersion;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;

/**
 * {@code score}: for every user ALS knows, the current model's ALS top-N candidates (without items the user
 * interacted with up to the logical date), scored by its ranker through the DJL UDF over features as of the end of
 * the date; the top K per user replace {@code gold.recommendations} (one row per user: {@code user_id, items
 * array<struct<item_id, score>>, model_version, run_id, generated_at}, the contract {@code publish} reads), plus
 * {@code gold.popular_items (rank, item_id, score)}. Each run is one Delta version whose commit records the date and
 * model version; a second run for the same pair does nothing.
 */
public final class ScoreJob {

    private static final Logger LOG = LoggerFactory.getLogger(ScoreJob.class);
    public static final TableName RECOMMENDATIONS = TableName.of("gold", "recommendations");
    public static final TableName POPULAR = TableName.of("gold", "popular_items");

    private final SparkSession spark;
    private final Lake lake;
    private final TrainingSettings s;
    private final TrainingSetSettings ts;
    private final CandidateRanking ranking;

    public ScoreJob(SparkSession spark, MillraceConfig config) {
        this.spark = spark;
        this.lake = Lake.from(config);
        this.s = TrainingSettings.from(config);
        this.ts = TrainingSetSettings.from(config);
        this.ranking = new CandidateRanking(spark, config);
        new LakeCatalog(spark, lake).registerAll();
    }

    /** The commit's user metadata: what makes a re-run for the same date and model a no-op. */
    static String marker(LocalDate date, String version) {
        return "millrace-score date=" + date + " model_version=" + version;
    }

    public int run(LocalDate date, int k, String runId, RunReport report) {
        ModelRegistry registry = RankerModels.registry(s);
        ModelVersion v = registry.current().orElseThrow(() -> new IllegalStateException("no current model in "
                + registry.root() + ": run train and evaluate first"));
        report.put("logical_date", date.toString());
        report.put("model_version", v.version());
        String location = lake.location(RECOMMENDATIONS);
        String marker = marker(date, v.version());
        // The latest data commit (a maintain since then does not count) says which date and model the table holds.
        if (InputFingerprint.latestDataCommitMetadata(spark, location).filter(marker::equals).isPresent()) {
            report.put("skipped", RECOMMENDATIONS + " already holds " + date + " from " + v.version());
            return ExitCodes.OK;
        }
        Instant asOf = date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Dataset<Row> interactions = spark.read().format("delta").load(lake.location(ts.labels()))
                .where(col("event_time").lt(lit(Timestamp.from(asOf))));
        Dataset<Row> known = interactions.select("user_id", "item_id").distinct();
        ALSModel als = RankerModels.als(registry, v);
        Dataset<Row> users = als.userFactors().select(col("id").cast("bigint").as("user_id"));
        Dataset<Row> cands = ranking.candidates(als, users, known, s.scoreCandidates(), s.maxFetch());
        Dataset<Row> scored = ranking.score(ranking.withFeatures(cands, asOf), registry, v, s.scoreBatchSize());
        Timestamp generatedAt = Timestamp.from(Instant.now());
        Dataset<Row> recs = CandidateRanking.topK(scored, RankerModels.SCORE_COLUMN, k)
                .groupBy("user_id")
                .agg(array_sort(collect_list(struct(col("rank"), col("item_id"),
                        col(RankerModels.SCORE_COLUMN).cast("double").as("score")))).as("ranked"))
                .select(col("user_id").cast("bigint").as("user_id"),
                        transform(col("ranked"), r -> struct(r.getField("item_id").as("item_id"),
                                r.getField("score").as("score"))).as("items"),
                        lit(v.version()).as("model_version"), lit(runId).as("run_id"),
                        lit(generatedAt).as("generated_at"));
        recs.write().format("delta").mode("overwrite").option("overwriteSchema", "true")
                .option("userMetadata", marker).save(location);
        new LakeCatalog(spark, lake).register(RECOMMENDATIONS);

        Dataset<Row> popular = interactions.groupBy("item_id").agg(count(lit(1)).as("n"))
                .withColumn("rank", row_number().over(org.apache.spark.sql.expressions.Window
                        .orderBy(col("n").desc(), col("item_id").asc())))
                .where(col("rank").leq(s.popularTopN()))
                .select(col("rank").cast("int").as("rank"), col("item_id").cast("bigint").as("item_id"),
                        col("n").cast("double").as("score"));
        popular.write().format("delta").mode("overwrite").option("overwriteSchema", "true")
                .option("userMetadata", marker).save(lake.location(POPULAR));
        new LakeCatalog(spark, lake).register(POPULAR);

        Row summary = spark.read().format("delta").load(location)
                .agg(count(lit(1)), expr("min(size(items))"), expr("max(size(items))")).first();
        report.put("users", summary.getLong(0));
        report.put("items_per_user", summary.isNullAt(1) ? "-" : summary.getInt(1) + ".." + summary.getInt(2));
        report.put("table", RECOMMENDATIONS.qualified());
        LOG.info("scored {} users with {} into {}", summary.getLong(0), v.version(), RECOMMENDATIONS);
        return ExitCodes.OK;
    }
}
