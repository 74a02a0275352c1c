package dev.millrace.jobs.training;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.featurestore.definitions.DerivedFeature;
import dev.millrace.featurestore.definitions.EntityDefinition;
import dev.millrace.featurestore.definitions.FeatureRegistry;
import dev.millrace.featurestore.definitions.RunnableFeatures;
import dev.millrace.featurestore.offline.LakeSources;
import dev.millrace.featurestore.offline.OfflineStore;
import dev.millrace.featurestore.offline.PointInTimeJoin;
import dev.millrace.jobs.features.TrainingSetSettings;
import dev.millrace.jobs.training.model.KeyedAls;
import dev.millrace.jobs.training.model.RankerModels;
import dev.millrace.udfs.ModelScorer;
import dev.millrace.udfs.ScoringOptions;
import dev.millrace.udfs.registry.FeatureSpec;
import dev.millrace.udfs.registry.ModelRegistry;
import dev.millrace.udfs.registry.ModelVersion;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.negate;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.slice;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;

/**
 * The two stages shared by {@code evaluate} and {@code score}, as Spark plans (nothing reaches the driver): ALS
 * top-N candidates per user without the items the user already interacted with, then each candidate's features as
 * of an instant (the same point-in-time join as the training set), its input vector from the model version's
 * {@link FeatureSpec}s and the ranker's score through the DJL UDF ({@link ModelScorer}). Keys are the string
 * {@code user_id} and {@code item_id} throughout ({@link KeyedAls} keeps ALS's int ids inside).
 */
public final class CandidateRanking {

    private final SparkSession spark;
    private final Lake lake;
    private final FeatureRegistry features;
    private final TrainingSetSettings ts;
    private final TrainingSettings settings;

    public CandidateRanking(SparkSession spark, MillraceConfig config) {
        this.spark = spark;
        this.lake = Lake.from(config);
        this.features = FeatureRegistry.load(config);
        this.ts = TrainingSetSettings.from(config);
        this.settings = TrainingSettings.from(config);
    }

    /**
     * {@code (user_id, item_id, als_score)}: per user of {@code users} ({@code user_id}), the ALS top {@code n} items
     * not in {@code known} ({@code user_id, item_id}). Fetches n + the most items any of these users knows (capped
     * by {@code maxFetch}), so the exclusion leaves n wherever the catalogue allows.
     */
    public Dataset<Row> candidates(KeyedAls als, Dataset<Row> users, Dataset<Row> known, int n, int maxFetch) {
        Dataset<Row> knownOfUsers = known.join(users.select("user_id").distinct(), "user_id");
        Row most = knownOfUsers.groupBy("user_id").agg(count(lit(1)).as("c")).agg(max("c")).first();
        long catalogue = als.itemCount();
        long fetch = Math.min(catalogue, Math.min((long) maxFetch, n + (most.isNullAt(0) ? 0 : most.getLong(0))));
        Dataset<Row> recs = als.recommend(users, (int) Math.max(n, fetch));
        return recs.join(knownOfUsers.select("user_id", "item_id"), recs.col("user_id").equalTo(
                        knownOfUsers.col("user_id")).and(recs.col("item_id").equalTo(knownOfUsers.col("item_id"))),
                        "left_anti")
                .withColumn("_r", row_number().over(Window.partitionBy("user_id")
                        .orderBy(col("als_score").desc(), col("item_id").asc())))
                .where(col("_r").leq(n)).drop("_r");
    }

    /**
     * {@code candidates} (ALS's, as {@link #candidates} gives them) plus, per user of {@code users}, the
     * {@code millrace.training.ranker.popular-candidates} items with the most users in {@code known} that the user has
     * not interacted with and ALS did not already propose, each with its ALS score (pairs ALS has no factors for are
     * left out). ALS's top list can miss a catalogue's best sellers entirely, and then no re-ordering recovers them;
     * the ranker has their popularity among its features. Train, evaluate and score all add them, so the ranker scores
     * the same mix of candidates it learnt on.
     */
    public Dataset<Row> withPopular(KeyedAls als, Dataset<Row> candidates, Dataset<Row> users, Dataset<Row> known) {
        Dataset<Row> alsCandidates = candidates.select("user_id", "item_id", "als_score");
        if (settings.popularCandidates() == 0) {
            return alsCandidates;
        }
        Dataset<Row> popular = popularUnseen(known, users.select("user_id").distinct(), settings.popularCandidates(),
                settings.popularMaxKnown()).select("user_id", "item_id")
                .join(alsCandidates.select("user_id", "item_id"), new String[] {"user_id", "item_id"}, "left_anti");
        Dataset<Row> scored = als.predict(popular).where(not(isnan(col("prediction"))))
                .select(col("user_id"), col("item_id"), col("prediction").cast("double").as("als_score"));
        return alsCandidates.unionByName(scored);
    }

    /**
     * Candidates with every entity's features as of {@code asOf} and the derived features: those that can run on this
     * lake, as in the training set (an entity whose features all read missing sources has no table and is left out).
     */
    public Dataset<Row> withFeatures(Dataset<Row> candidates, Instant asOf) {
        OfflineStore store = new OfflineStore(spark, lake);
        PointInTimeJoin pit = new PointInTimeJoin(ts.maxFeatureAge());
        RunnableFeatures runnable = new LakeSources(spark, lake).runnable(features);
        Dataset<Row> rows = candidates.withColumn("event_time", lit(Timestamp.from(asOf)));
        for (String name : ts.entities()) {
            if (runnable.registry().definitionsOf(name).isEmpty()) {
                continue;
            }
            EntityDefinition entity = features.entity(name);
            Optional<Dataset<Row>> table = store.read(entity);
            if (table.isEmpty()) {
                throw new IllegalStateException("no feature table " + entity.table() + ": run `millrace features` first");
            }
            rows = pit.join(rows, "event_time", entity, table.get(), entity.name() + "_feature_ts");
        }
        for (DerivedFeature d : runnable.registry().derived()) {
            rows = rows.withColumn(d.name(), expr(d.expression()));
        }
        return rows;
    }

    /** Adds {@value RankerModels#SCORE_COLUMN}: the version's ranker over its input vector, scored by the DJL UDF. */
    public Dataset<Row> score(Dataset<Row> withFeatures, ModelRegistry registry, ModelVersion v, int batchSize) {
        List<FeatureSpec> specs = v.features();
        Dataset<Row> input = withFeatures.select(col("user_id"), col("item_id"), col("als_score"),
                FeatureVectors.vector(specs).as(RankerModels.INPUT_COLUMN));
        ModelScorer scorer = ModelScorer.create(spark, RankerModels.ref(registry, v),
                ScoringOptions.defaults().withBatchSize(batchSize));
        return scorer.transform(input).drop(RankerModels.INPUT_COLUMN);
    }

    /**
     * {@code (user_id, items)}: per user, the top k rows by a score column as one list, best first, each
     * {@code struct<item_id, score>} (the score column as it is); the order of {@link #topK} (score descending, NaN
     * first and null last, then item_id). One aggregation grouped by user, so the only shuffle is by user_id and no
     * row-level sort or window runs; each user's list holds at most the candidates per user (a setting). Sorting the
     * list ascending by {@code (rank class, -score, item_id)} gives the window's order: NaN is the largest value when
     * sorting descending, and descending puts nulls last, so both get a class of their own.
     */
    public static Dataset<Row> topKLists(Dataset<Row> scored, String scoreColumn, int k) {
        Column score = col(scoreColumn);
        Column rankClass = when(isnan(score), lit(0)).when(score.isNull(), lit(2)).otherwise(lit(1));
        return scored.groupBy("user_id")
                .agg(sort_array(collect_list(struct(rankClass.as("c"), negate(score).as("s"), col("item_id"),
                        score.as("score")))).as("_sorted"))
                .select(col("user_id"), transform(slice(col("_sorted"), 1, k), e -> struct(e.getField("item_id")
                        .as("item_id"), e.getField("score").as("score"))).as("items"));
    }

    /** Keeps the top k rows per user by a score column, with their rank (1 = best). */
    public static Dataset<Row> topK(Dataset<Row> scored, String scoreColumn, int k) {
        return scored.withColumn("rank", row_number().over(Window.partitionBy("user_id")
                        .orderBy(col(scoreColumn).desc(), col("item_id").asc())))
                .where(col("rank").leq(k));
    }

    /**
     * {@code (user_id, item_id, pop, rank)}: the items with the most users in {@code known}, per user of
     * {@code users} without the user's own, best k with ranks (the popularity baseline and popular candidates). The top
     * {@code k + min(maxKnown, most items any user knows)} items, numbered, are one small list (broadcast); each user
     * reads only its first {@code k + m} positions, m = how many of those items the user knows, which always holds
     * k unknown ones (when the list does). So the rows grow with users x k plus the known pairs, not users x the
     * longest history: the same result as crossing every user with the whole list, while the cap is not reached.
     */
    public static Dataset<Row> popularUnseen(Dataset<Row> known, Dataset<Row> users, int k, int maxKnown) {
        Dataset<Row> knownOfUsers = known.join(users, "user_id");
        Row most = knownOfUsers.groupBy("user_id").agg(count(lit(1)).as("c")).agg(max("c")).first();
        int fetch = k + (int) Math.min(maxKnown, most.isNullAt(0) ? 0 : most.getLong(0));
        // orderBy + limit runs as Spark's top-n (each partition's best fetch rows, merged); numbering those few rows
        // as one sorted list needs no window over every item.
        Dataset<Row> top = known.groupBy("item_id").agg(count(lit(1)).as("pop"))
                .orderBy(col("pop").desc(), col("item_id").asc()).limit(fetch)
                .agg(sort_array(collect_list(struct(negate(col("pop")).as("o"), col("item_id"), col("pop"))))
                        .as("top"))
                .select(posexplode(col("top")).as(new String[] {"pos", "t"}))
                .select(col("pos").plus(1).as("pos"), col("t.item_id").as("item_id"), col("t.pop").as("pop"));
        Dataset<Row> knownOfTop = knownOfUsers.join(broadcast(top.select("item_id")), "item_id")
                .groupBy("user_id").agg(count(lit(1)).as("m"));
        Dataset<Row> slots = users.join(knownOfTop, new String[] {"user_id"}, "left")
                .select(col("user_id"), explode(sequence(lit(1), least(lit(k).plus(coalesce(col("m"), lit(0L)))
                        .cast("int"), lit(fetch)))).as("pos"));
        return slots.join(broadcast(top), "pos")
                .join(knownOfUsers, new String[] {"user_id", "item_id"}, "left_anti")
                .withColumn("rank", row_number().over(Window.partitionBy("user_id").orderBy(col("pos").asc())))
                .where(col("rank").leq(k))
                .select("user_id", "item_id", "pop", "rank");
    }
}
