package dev.millrace.jobs.training.ids;

import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.lake.TableName;
import io.delta.tables.DeltaTable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

/**
 * One entity's stable id dictionary: an append-only Delta table {@code (key STRING, id INT)} that gives each string
 * key a dense int for the engines that need one (MLlib ALS). Ids are never changed or reused: a run numbers only the
 * keys the table lacks, after its current maximum, so re-runs and new keys leave every old entry as it is. Everything
 * happens in Spark (distinct keys left-anti-joined with the table, numbered with {@code zipWithIndex} over the sorted
 * new keys, appended); only counts reach the driver. The ids stay inside training and scoring: every table users
 * see carries the string keys.
 */
public final class IdDictionary {

    private static final Logger LOG = LoggerFactory.getLogger(IdDictionary.class);

    public static final String KEY = "key";
    public static final String ID = "id";
    /** The largest id: MLlib ALS takes int ids, from 0. */
    public static final long MAX_ID = Integer.MAX_VALUE;
    /** Delta's idempotent-write application id: two runs extending from the same table version cannot both append. */
    static final String TXN_APP_ID = "millrace-id-dictionary";

    static final StructType SCHEMA = new StructType()
            .add(KEY, DataTypes.StringType, false)
            .add(ID, DataTypes.IntegerType, false);

    /** What an extension did: keys added, the largest id after it, the table's Delta version after it. */
    public record Extension(long added, long maxId, long version) {
    }

    private final SparkSession spark;
    private final Lake lake;
    private final TableName table;
    private final String entity;

    /** @param entity what the keys are ({@code user}, {@code item}), for messages */
    public IdDictionary(SparkSession spark, Lake lake, TableName table, String entity) {
        this.spark = spark;
        this.lake = lake;
        this.table = table;
        this.entity = entity;
    }

    public TableName table() {
        return table;
    }

    public String location() {
        return lake.location(table);
    }

    public boolean exists() {
        return DeltaTable.isDeltaTable(spark, location());
    }

    /**
     * Gives every distinct non-null value of {@code keyColumn} in {@code keys} an id, keeping the ids the table holds.
     * Fails with a clear error, writing nothing, when the new keys would need an id above {@link #MAX_ID}.
     */
    public Extension extend(Dataset<Row> keys, String keyColumn) {
        create();
        DeltaTable delta = DeltaTable.forPath(spark, location());
        long version = delta.history(1).select("version").first().getLong(0);
        // Numbered against this version only; the append below is bound to it (txnVersion).
        Dataset<Row> current = spark.read().format("delta").option("versionAsOf", version).load(location());
        Dataset<Row> fresh = keys.select(col(keyColumn).cast("string").as(KEY)).where(col(KEY).isNotNull()).distinct()
                .join(current.select(KEY), new String[] {KEY}, "left_anti")
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Row m = current.agg(max(ID)).first();
            long maxId = m.isNullAt(0) ? -1 : m.getInt(0);
            long added = fresh.count();
            if (added == 0) {
                return new Extension(0, maxId, version);
            }
            long last = maxId + added;
            if (last > MAX_ID) {
                throw new IllegalStateException(table + ": " + added + " new " + entity + " keys after id " + maxId
                        + " would need ids up to " + last + ", beyond " + MAX_ID + " (2^31 - 1), the most MLlib ALS "
                        + "can number (int ids); ids are never reused, so this lake has more distinct " + entity
                        + " keys than ALS can train on");
            }
            long first = maxId + 1;
            JavaRDD<Row> numbered = fresh.orderBy(KEY).toJavaRDD().zipWithIndex()
                    .map(t -> RowFactory.create(t._1().getString(0), Math.toIntExact(first + t._2())));
            spark.createDataFrame(numbered, SCHEMA).write().format("delta").mode("append")
                    .option("txnAppId", TXN_APP_ID).option("txnVersion", version)
                    .option("userMetadata", "millrace-id-dictionary " + entity + " ids " + first + ".." + last)
                    .save(location());
            // A run that extended the same version first makes Delta skip this append: then the keys may be missing.
            long missing = fresh.join(spark.read().format("delta").load(location()).select(KEY),
                    new String[] {KEY}, "left_anti").count();
            if (missing > 0) {
                throw new IllegalStateException(table + " was extended concurrently by another run from version "
                        + version + "; " + missing + " " + entity + " keys are still without an id: run again");
            }
            long after = delta.history(1).select("version").first().getLong(0);
            LOG.info("{}: {} new {} keys, ids {}..{} (version {})", table, added, entity, first, last, after);
            return new Extension(added, last, after);
        } finally {
            fresh.unpersist();
        }
    }

    /** The dictionary as it is now: {@code (key, id)}. */
    public Dataset<Row> read() {
        if (!exists()) {
            throw new IllegalStateException("no id dictionary " + table + " at " + location()
                    + ": run `millrace train` first");
        }
        return spark.read().format("delta").load(location());
    }

    /** Adds {@code idColumn}: the id of {@code keyColumn}; rows whose key has no id are dropped. */
    public Dataset<Row> withIds(Dataset<Row> rows, String keyColumn, String idColumn) {
        Dataset<Row> d = read().select(col(KEY).as(keyColumn), col(ID).as(idColumn));
        return rows.join(d, keyColumn);
    }

    /** Replaces {@code idColumn} (ids of this dictionary) by {@code keyColumn}, the string key. */
    public Dataset<Row> toKeys(Dataset<Row> rows, String idColumn, String keyColumn) {
        Dataset<Row> d = read().select(col(ID).as(idColumn), col(KEY).as(keyColumn));
        return rows.join(d, idColumn).drop(idColumn);
    }

    private void create() {
        if (exists()) {
            return;
        }
        // Delta refuses deletes and updates (delta.appendOnly): an entry, once written, is the key's id for good.
        spark.sql("CREATE TABLE IF NOT EXISTS delta.`" + location().replace("`", "``") + "` (" + KEY
                + " STRING NOT NULL, " + ID + " INT NOT NULL) USING delta TBLPROPERTIES ('delta.appendOnly' = 'true')");
        new LakeCatalog(spark, lake).register(table);
    }
}
