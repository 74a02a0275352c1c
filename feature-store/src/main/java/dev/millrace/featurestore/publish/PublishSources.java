package dev.millrace.featurestore.publish;

import dev.millrace.core.lake.InputFingerprint;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.tables.FeatureTables;
import dev.millrace.core.tables.GoldTables;
import dev.millrace.featurestore.online.Keyspace;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
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
import static org.apache.spark.sql.functions.transform;

/**
 * The lake tables a publish reads, as Spark plans (nothing is read until the writers run): the latest version of
 * {@code gold.recommendations}, the popularity list ({@code gold.popular_items}, else the most-rated items of
 * {@code silver.ratings}) and the latest row per entity of every {@code <layer>.<entity>_features} table (names from
 * core's {@link GoldTables} and {@link FeatureTables}). Keys come out as strings: a STRING key column is read as it
 * is, an integer one (a table written before string keys) as its decimal text; any other type is refused.
 * Each table is read at the Delta version it had when first planned, and {@link #versionsRead()} names the data
 * versions behind them: the same data always makes the same store contents, which is what lets a repeated publish skip.
 */
final class PublishSources {

    private static final Logger LOG = LoggerFactory.getLogger(PublishSources.class);

    static final TableName RECOMMENDATIONS = GoldTables.RECOMMENDATIONS;
    static final TableName POPULAR_ITEMS = GoldTables.POPULAR_ITEMS;
    /** The fallback's fallback; no module owns a contract for it beyond its item_id column. */
    static final TableName RATINGS = TableName.of("silver", "ratings");
    static final String FEATURE_TS = FeatureTables.FEATURE_TS;

    private final SparkSession spark;
    private final Lake lake;
    private final FeatureTables featureTables;
    private final Set<TableName> tables;
    private final Map<String, Long> versionsRead = new TreeMap<>();
    private final Map<String, Long> nullKeyRows = new TreeMap<>();

    PublishSources(SparkSession spark, Lake lake, FeatureTables featureTables) {
        this.spark = spark;
        this.lake = lake;
        this.featureTables = featureTables;
        this.tables = Set.copyOf(new LakeCatalog(spark, lake).discover());
    }

    /**
     * The latest {@code gold.recommendations} as {@code (user_id STRING, items ARRAY<STRUCT<item_id STRING, score
     * DOUBLE>>, model_version, run_id, generated_at)}; its schema is checked before anything is written.
     */
    Dataset<Row> recommendations() {
        if (!tables.contains(RECOMMENDATIONS)) {
            throw new IllegalStateException("no table " + RECOMMENDATIONS + " at " + lake.location(RECOMMENDATIONS)
                    + ": run the scoring job first");
        }
        Dataset<Row> df = read(RECOMMENDATIONS);
        requireColumns(df, RECOMMENDATIONS, GoldTables.USER_ID, GoldTables.ITEMS, GoldTables.MODEL_VERSION,
                GoldTables.RUN_ID, GoldTables.GENERATED_AT);
        DataType items = df.schema().apply(GoldTables.ITEMS).dataType();
        if (!(items instanceof ArrayType a) || !(a.elementType() instanceof StructType item)
                || !List.of(item.fieldNames()).containsAll(List.of(GoldTables.ITEM_ID, GoldTables.SCORE))) {
            throw new IllegalStateException(RECOMMENDATIONS + "." + GoldTables.ITEMS + " is " + items.simpleString()
                    + ", not ARRAY<STRUCT<" + GoldTables.ITEM_ID + ", " + GoldTables.SCORE + ">>");
        }
        requireKeyType(RECOMMENDATIONS, GoldTables.ITEMS + "." + GoldTables.ITEM_ID, item.apply(GoldTables.ITEM_ID));
        Column normalisedItems = transform(col(GoldTables.ITEMS), x -> struct(
                x.getField(GoldTables.ITEM_ID).cast("string").as(GoldTables.ITEM_ID),
                x.getField(GoldTables.SCORE).cast("double").as(GoldTables.SCORE)));
        return df.select(key(df, RECOMMENDATIONS, GoldTables.USER_ID).as(GoldTables.USER_ID),
                normalisedItems.as(GoldTables.ITEMS), col(GoldTables.MODEL_VERSION), col(GoldTables.RUN_ID),
                col(GoldTables.GENERATED_AT));
    }

    /** Where the popularity fallback comes from, for the report. */
    String popularSource() {
        if (tables.contains(POPULAR_ITEMS)) {
            return POPULAR_ITEMS.qualified();
        }
        return tables.contains(RATINGS) ? RATINGS.qualified() + " (most rated)" : "none (empty list)";
    }

    /** {@code (item_id STRING, score DOUBLE)} best first, at most {@code topN} rows, in one partition. */
    Dataset<Row> popular(int topN) {
        String itemId = GoldTables.ITEM_ID;
        Dataset<Row> ranked;
        if (tables.contains(POPULAR_ITEMS)) {
            Dataset<Row> df = read(POPULAR_ITEMS);
            requireColumns(df, POPULAR_ITEMS, GoldTables.RANK, itemId, GoldTables.SCORE);
            ranked = df.where(col(itemId).isNotNull()).orderBy(col(GoldTables.RANK).asc(), col(itemId).asc())
                    .select(key(df, POPULAR_ITEMS, itemId).as(itemId), col(GoldTables.SCORE).cast("double"));
        } else if (tables.contains(RATINGS)) {
            Dataset<Row> df = read(RATINGS);
            requireColumns(df, RATINGS, itemId);
            ranked = df.where(col(itemId).isNotNull()).groupBy(key(df, RATINGS, itemId).as(itemId))
                    .agg(count(lit(1)).as("n"))
                    .orderBy(col("n").desc(), col(itemId).asc())
                    .select(col(itemId), col("n").cast("double").as(GoldTables.SCORE));
        } else {
            LOG.warn("neither {} nor {} exists: unknown users will get an empty fallback list", POPULAR_ITEMS, RATINGS);
            ranked = spark.emptyDataFrame().select(lit("").as(itemId), lit(0.0).as(GoldTables.SCORE)).limit(0);
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
            if (!featureTables.holds(t)) {
                continue;
            }
            String entity = featureTables.entityOf(t);
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
            Optional<String> badKey = keys.get().stream().filter(c -> !isKeyType(df.schema().apply(c).dataType()))
                    .findFirst();
            if (badKey.isPresent()) {
                LOG.warn("skipping {}: key column {} is {}, not STRING (or an integer)", t, badKey.get(),
                        df.schema().apply(badKey.get()).dataType().simpleString());
                continue;
            }
            Column[] all = Arrays.stream(df.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new);
            Column[] keyCols = keys.get().stream().map(c -> col(c).cast("string")).toArray(Column[]::new);
            Column notNull = keys.get().stream().map(c -> col(c).isNotNull()).reduce(Column::and).orElseThrow();
            // No id, no key to serve it under: counted, not published. Delta's null counts skip every file without one.
            long nulls = df.where(notNull.unary_$bang()).count();
            if (nulls > 0) {
                nullKeyRows.put(Keyspace.features(entity).name(), nulls);
                LOG.warn("{}: {} rows with a null key are not published", t, nulls);
            }
            Dataset<Row> latest = df.where(notNull)
                    .groupBy(keyCols.length == 1 ? keyCols[0].as("key") : concat_ws(":", keyCols).as("key"))
                    .agg(max_by(struct(all), col(FEATURE_TS)).as("r"))
                    .select(col("key"), to_json(col("r")).as("json"));
            out.put(Keyspace.features(entity), latest);
        }
        return out;
    }

    /** Feature rows left out of {@link #features()} because a key column is null, per keyspace (absent when none). */
    Map<String, Long> nullKeyRows() {
        return java.util.Collections.unmodifiableSortedMap(new TreeMap<>(nullKeyRows));
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

    /** A key column as STRING: as it is, or an integer column's decimal text. */
    private static Column key(Dataset<Row> df, TableName t, String name) {
        requireKeyType(t, name, df.schema().apply(name));
        return col(name).cast("string");
    }

    private static void requireKeyType(TableName t, String name, StructField field) {
        if (!isKeyType(field.dataType())) {
            throw new IllegalStateException(t + "." + name + " is " + field.dataType().simpleString()
                    + ": a key column must be STRING (an integer column is read as its decimal text)");
        }
    }

    /** STRING, or an integer type (read as its decimal text); a DOUBLE id would publish "40213.0", so it is refused. */
    static boolean isKeyType(DataType type) {
        return type.equals(DataTypes.StringType) || type.equals(DataTypes.LongType) || type.equals(DataTypes.IntegerType)
                || type.equals(DataTypes.ShortType) || type.equals(DataTypes.ByteType);
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
