package dev.millrace.jobs.training.score;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.InputFingerprint;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.core.tables.GoldTables;
import dev.millrace.jobs.features.TrainingSetSettings;
import dev.millrace.jobs.training.CandidateRanking;
import dev.millrace.jobs.training.TrainingSettings;
import dev.millrace.jobs.training.model.KeyedAls;
import dev.millrace.jobs.training.model.RankerModels;
import dev.millrace.udfs.registry.ModelRegistry;
import dev.millrace.udfs.registry.ModelVersion;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.negate;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;

/**
 * {@code score}: for every user ALS knows, the current model's ALS top-N candidates (without items the user
 * interacted with up to the logical date), scored by its ranker through the DJL UDF over features as of the end of
 * the date; the top K per user replace {@code gold.recommendations} (one row per user: {@code user_id STRING, items
 * array<struct<item_id STRING, score FLOAT>>, model_version, run_id, generated_at}, the contract of
 * {@link GoldTables} that {@code publish} reads), plus {@code gold.popular_items (rank, item_id STRING, score)}.
 * Both carry the string keys; ALS's int ids stay inside {@link KeyedAls}. Each run writes one Delta version of each
 * table whose commit records the date and model version: {@code gold.popular_items} first, {@code
 * gold.recommendations} last (the run's commit point). A second run for the same pair does nothing only when both
 * tables hold it, so a run that died between the two writes is finished by the next one.
 */
public final class ScoreJob {

    private static final Logger LOG = LoggerFactory.getLogger(ScoreJob.class);

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

    /**
     * {@code (rank, item_id, score)}: the n items with the most interactions (ties by item_id), rank 1 = most. A
     * top-n ({@code orderBy + limit}, which Spark runs as each partition's top n merged in one place, so never more
     * than n rows per partition move) numbered by sorting those n rows as one list: no window over every item.
     */
    static Dataset<Row> popularItems(Dataset<Row> interactions, int n) {
        Dataset<Row> top = interactions.groupBy("item_id").agg(count(lit(1)).as("n"))
                .orderBy(col("n").desc(), col("item_id").asc()).limit(n);
        return top.agg(sort_array(collect_list(struct(negate(col("n")).as("o"), col("item_id"), col("n"))))
                        .as("top"))
                .select(posexplode(col("top")).as(new String[] {"pos", "t"}))
                .select(col("pos").plus(1).cast("int").as(GoldTables.RANK),
                        col("t.item_id").cast("string").as(GoldTables.ITEM_ID),
                        col("t.n").cast("double").as(GoldTables.SCORE));
    }

    public int run(LocalDate date, int k, String runId, RunReport report) {
        ModelRegistry registry = RankerModels.registry(s);
        ModelVersion v = registry.champion().orElseThrow(() -> new IllegalStateException("no " + ModelRegistry.CHAMPION
                + " model in " + registry.root() + ": run train and evaluate first"));
        report.put("logical_date", date.toString());
        report.put("model_version", v.version());
        String location = lake.location(GoldTables.RECOMMENDATIONS);
        String marker = marker(date, v.version());
        String popularLocation = lake.location(GoldTables.POPULAR_ITEMS);
        // The latest data commit (a maintain since then does not count) says which date and model a table holds.
        if (InputFingerprint.latestDataCommitMetadata(spark, location).filter(marker::equals).isPresent()
                && InputFingerprint.latestDataCommitMetadata(spark, popularLocation).filter(marker::equals).isPresent()) {
            report.put("skipped", GoldTables.RECOMMENDATIONS + " and " + GoldTables.POPULAR_ITEMS + " already hold "
                    + date + " from " + v.version());
            return ExitCodes.OK;
        }
        Instant asOf = date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Dataset<Row> interactions = spark.read().format("delta").load(lake.location(ts.labels()))
                .where(col("event_time").lt(lit(Timestamp.from(asOf))));
        Dataset<Row> known = interactions.select(col("user_id").cast("string").as("user_id"),
                col("item_id").cast("string").as("item_id")).distinct();
        KeyedAls als = RankerModels.als(spark, lake, s, registry, v);
        Dataset<Row> users = als.users();
        Dataset<Row> cands = ranking.withPopular(als, ranking.candidates(als, users, known, s.scoreCandidates(),
                s.maxFetch()), users, known);
        Dataset<Row> scored = ranking.score(ranking.withFeatures(cands, asOf), registry, v, s.scoreBatchSize());
        Timestamp generatedAt = Timestamp.from(Instant.now());
        Dataset<Row> recs = CandidateRanking.topKLists(scored, RankerModels.SCORE_COLUMN, k)
                .select(col("user_id").cast("string").as(GoldTables.USER_ID),
                        transform(col("items"), r -> struct(r.getField("item_id").cast("string")
                                        .as(GoldTables.ITEM_ID), r.getField("score").cast("float").as(GoldTables.SCORE)))
                                .as(GoldTables.ITEMS),
                        lit(v.version()).as(GoldTables.MODEL_VERSION), lit(runId).as(GoldTables.RUN_ID),
                        lit(generatedAt).as(GoldTables.GENERATED_AT));
        // The fallback first, the recommendations last: a run is finished when gold.recommendations holds its marker.
        Dataset<Row> popular = popularItems(interactions, s.popularTopN());
        popular.write().format("delta").mode("overwrite").option("overwriteSchema", "true")
                .option("userMetadata", marker).save(popularLocation);
        new LakeCatalog(spark, lake).register(GoldTables.POPULAR_ITEMS);

        recs.write().format("delta").mode("overwrite").option("overwriteSchema", "true")
                .option("userMetadata", marker).save(location);
        new LakeCatalog(spark, lake).register(GoldTables.RECOMMENDATIONS);

        Row summary = spark.read().format("delta").load(location)
                .agg(count(lit(1)), expr("min(size(items))"), expr("max(size(items))")).first();
        report.put("users", summary.getLong(0));
        report.put("items_per_user", summary.isNullAt(1) ? "-" : summary.getInt(1) + ".." + summary.getInt(2));
        report.put("table", GoldTables.RECOMMENDATIONS.qualified());
        LOG.info("scored {} users with {} into {}", summary.getLong(0), v.version(), GoldTables.RECOMMENDATIONS);
        return ExitCodes.OK;
    }
}
