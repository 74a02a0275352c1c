package dev.millrace.featurestore.publish;

import dev.millrace.core.lake.InputFingerprint;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.lake.TableName;
import dev.millrace.featurestore.online.Keyspace;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

/**
 * The lake tables a publish reads, as Spark plans (nothing is read until the writers run): the latest version of
 * {@code gold.recommendations}, the popularity list ({@code gold.popular_items}, else the most-rated items of
 * {@code silver.ratings}) and the latest row per entity of every {@code features.<entity>_features} table.
 * Each table is read at the Delta version it had when first planned, and {@link #versionsRead()} names the data
 * versions behind them: the same data always makes the same store contents, which is what lets a repeated publish skip.
 */
final class PublishSources {

    private static final Logger LOG = LoggerFactory.getLogger(PublishSources.class);

    static final TableName RECOMMENDATIONS = TableName.of("gold", "recommendations");
    static final TableName POPULAR_ITEMS = TableName.of("gold", "popular_items");
    static final TableName RATINGS = TableName.of("silver", "ratings");
    static final String FEATURES_LAYER = "features";
    static final String FEATURES_SUFFIX = "_features";
    static final String FEATURE_TS = "feature_ts";

    private final SparkSession spark;
    private final Lake lake;
    private final Set<TableName> tables;
    private final Map<String, Long> versionsRead = new TreeMap<>();

    PublishSources(SparkSession spark, Lake lake) {
        this.spark = spark;
        this.lake = lake;
        this.tables = Set.copyOf(new LakeCatalog(spark, lake).discover());
    }

    /** The latest {@code gold.recommendations}; its schema is checked before anything is written. */
    Dataset<Row> recommendations() {
        if (!tables.contains(RECOMMENDATIONS)) {
            throw new IllegalStateException("no table " + RECOMMENDATIONS + " at " + lake.location(RECOMMENDATIONS)
                    + ": run the scoring job first");
        }
        Dataset<Row> df = read(RECOMMENDATIONS);
        requireColumns(df, RECOMMENDATIONS, "user_id", "items", "model_version", "run_id", "generated_at");
        return df.select("user_id", "items", "model_version", "run_id", "generated_at");
    }

    /** Where the popularity fallback comes from, for the report. */
    String popularSource() {
        if (tables.contains(POPULAR_ITEMS)) {
            return POPULAR_ITEMS.qualified();
        }
        return tables.contains(RATINGS) ? RATINGS.qualified() + " (most rated)" : "none (empty list)";
    }

    /** {@code (item_id, score)} best first, at most {@code topN} rows, in one partition. */
    Dataset<Row> popular(int topN) {
        Dataset<Row> ranked;
        if (tables.contains(POPULAR_ITEMS)) {
            Dataset<Row> df = read(POPULAR_ITEMS);
            requireColumns(df, POPULAR_ITEMS, "rank", "item_id", "score");
            ranked = df.orderBy(col("rank").asc(), col("item_id").asc())
                    .select(col("item_id").cast("bigint"), col("score").cast("double"));
        } else if (tables.contains(RATINGS)) {
            Dataset<Row> df = read(RATINGS);
            requireColumns(df, RATINGS, "item_id");
            ranked = df.where(col("item_id").isNotNull()).groupBy("item_id").agg(count(lit(1)).as("n"))
                    .orderBy(col("n").desc(), col("item_id").asc())
                    .select(col("item_id").cast("bigint"), col("n").cast("double").as("score"));
        } else {
            LOG.warn("neither {} nor {} exists: unknown users will get an empty fallback list", POPULAR_ITEMS, RATINGS);
            ranked = spark.emptyDataFrame().select(lit(0L).as("item_id"), lit(0.0).as("score")).limit(0);
        }
        return ranked.limit(topN).coalesce(1);
    }

    /**
     * Keyspace -> {@code (key STRING, json STRING)}, the latest row per entity, for every online feature table
     * (keys: {@link #keyColumns}).
     */
    Map<Keyspace, Dataset<Row>> features() {
        Map<Keyspace, Dataset<Row>> out = new LinkedHashMap<>();
        for (TableName t : tables) {
            if (!t.layer().equals(FEATURES_LAYER) || !t.name().endsWith(FEATURES_SUFFIX)) {
                continue;
            }
            String entity = t.name().substring(0, t.name().length() - FEATURES_SUFFIX.length());
            if (!Keyspace.isValidEntity(entity)) {
                LOG.warn("skipping {}: '{}' is not a valid entity name", t, entity);
                continue;
            }
            Dataset<Row> df = read(t);
            Optional<List<String>> keys = keyColumns(entity, Arrays.asList(df.columns()));
            if (keys.isEmpty()) {
                LOG.warn("skipping {}: no {}_id column, nor one <part>_id column per part of '{}'", t, entity, entity);
                continue;
            }
            requireColumns(df, t, FEATURE_TS);
            Column[] all = Arrays.stream(df.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new);
            Column[] keyCols = keys.get().stream().map(c -> col(c).cast("string")).toArray(Column[]::new);
            Column notNull = keys.get().stream().map(c -> col(c).isNotNull()).reduce(Column::and).orElseThrow();
            Dataset<Row> latest = df.where(notNull)
                    .groupBy(keyCols.length == 1 ? keyCols[0].as("key") : concat_ws(":", keyCols).as("key"))
                    .agg(max_by(struct(all), col(FEATURE_TS)).as("r"))
                    .select(col("key"), to_json(col("r")).as("json"));
            out.put(Keyspace.features(entity), latest);
        }
        return out;
    }

    /** {@code layer.name -> Delta version} of every table the plans read, sorted by name. */
    Map<String, Long> versionsRead() {
        // Sorted, so its text is the same in every JVM (Map.copyOf's iteration order is salted per JVM).
        return java.util.Collections.unmodifiableSortedMap(new TreeMap<>(versionsRead));
    }

    /**
     * The key columns of an entity's feature table: {@code <entity>_id}, or for a composite entity such as
     * {@code user_item} one {@code <part>_id} per part, joined with ':' into the served id ({@code 42:31}).
     */
    static Optional<List<String>> keyColumns(String entity, List<String> columns) {
        if (columns.contains(entity + "_id")) {
            return Optional.of(List.of(entity + "_id"));
        }
        List<String> parts = Arrays.stream(entity.split("_")).map(p -> p + "_id").toList();
        return parts.size() > 1 && columns.containsAll(parts) ? Optional.of(parts) : Optional.empty();
    }

    private Dataset<Row> read(TableName t) {
        // By path, pinned to the version current now, whatever the session's catalog has cached. The fingerprint takes
        // the data version (compaction does not change what is published); the read takes the current one, whose
        // files exist even after a VACUUM.
        String path = lake.location(t);
        long version = InputFingerprint.currentVersion(spark, path).orElseThrow();
        versionsRead.putIfAbsent(t.qualified(), InputFingerprint.currentDataVersion(spark, path).orElseThrow());
        return spark.read().format("delta").option("versionAsOf", version).load(path);
    }

    private static void requireColumns(Dataset<Row> df, TableName t, String... names) {
        List<String> missing = new ArrayList<>();
        List<String> have = Arrays.asList(df.columns());
        for (String n : names) {
            if (!have.contains(n)) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(t + " lacks column(s) " + missing + " (has " + have + ")");
        }
    }
}
