package dev.millrace.jobs.ingest;

import dev.millrace.core.lake.Lake;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.storage.StorageLevel;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Turns one entity's parsed rows into its three tables: every row into {@code bronze}, rejected rows with their
 * reason into {@code quarantine}, valid rows deduplicated on the entity key into {@code silver}. Within a batch the
 * source's {@link DuplicatePolicy} decides between rows of one key (by file and line): {@code reject} keeps the first
 * and quarantines later ones as duplicates or conflicting duplicates, {@code first} and {@code last} keep one and
 * fold the others, {@code sum} keeps the first with the sum of the weights and folds the others. Against silver,
 * interaction rows already present are counted unchanged and conflicting ones quarantined (or folded, under
 * {@code first}), while dimension rows (movies, links) are updated in place by a MERGE, the newest delivery being
 * authoritative.
 */
final class EntityWriter {

    static final String STATUS = "_status";
    static final String NEW = "new";
    static final String UNCHANGED = "unchanged";
    static final String UPDATED = "updated";
    /** Accepted, but folded into another row of its key by the duplicate policy: not written to silver itself. */
    static final String FOLDED = "folded";
    private static final Set<String> LINE_LEVEL = Set.of(RejectReason.UNPARSEABLE_LINE.code(),
            RejectReason.WRONG_COLUMN_COUNT.code(), RejectReason.INVALID_ENCODING.code());

    private final SparkSession spark;
    private final Lake lake;
    private final Entity entity;
    private final String runId;
    private final Timestamp ingestedAt;
    private final EventPartitioning partitioning;
    private final DuplicatePolicy duplicates;

    EntityWriter(SparkSession spark, Lake lake, EventPartitioning partitioning, Entity entity, String runId,
                 Timestamp ingestedAt) {
        this(spark, lake, partitioning, entity, DuplicatePolicy.REJECT, runId, ingestedAt);
    }

    EntityWriter(SparkSession spark, Lake lake, EventPartitioning partitioning, Entity entity,
                 DuplicatePolicy duplicates, String runId, Timestamp ingestedAt) {
        this.partitioning = partitioning;
        this.duplicates = duplicates;
        this.spark = spark;
        this.lake = lake;
        this.entity = entity;
        this.runId = runId;
        this.ingestedAt = ingestedAt;
    }

    /**
     * Adds event_date, event_period and user_bucket (events only) and the run columns, and lays the rows out once for
     * everything that follows: events are shuffled by (event_period, user_bucket) and sorted by key, file and line.
     * The entity key always falls in one such partition, so the duplicate window and the partitioned writes reuse
     * this layout and Spark adds no further shuffle or sort. The caller persists the result.
     */
    Dataset<Row> prepare(Dataset<Row> unified) {
        Dataset<Row> df = unified.withColumn("_run_id", lit(runId)).withColumn("_ingested_at", lit(ingestedAt));
        if (!entity.isEvents()) {
            return df;
        }
        df = df.withColumn("event_date", to_date(col("event_time")))
                .withColumn(EventPartitioning.PERIOD, partitioning.period(col("event_date")))
                .withColumn("user_bucket", pmod(xxhash64(col("user_id")), lit(lake.buckets())).cast("int"));
        return df.repartition(col(EventPartitioning.PERIOD), col("user_bucket")).sortWithinPartitions(layoutOrder());
    }

    private Column[] layoutOrder() {
        List<Column> order = new ArrayList<>();
        order.add(col(EventPartitioning.PERIOD));
        order.add(col("user_bucket"));
        entity.keyNames().forEach(k -> order.add(col(k)));
        order.add(col(UnifiedSchema.SOURCE_FILE));
        order.add(col(UnifiedSchema.LINE));
        return order.toArray(Column[]::new);
    }

    /** Rows with their verdict (a reject reason or new / unchanged / updated) and whether the join moved them. */
    record Classified(Dataset<Row> rows, boolean relaidOut) {
    }

    /**
     * Gives every row a status in one pass: rejected rows keep their reason; among valid rows of one key (ordered by
     * file and line) the duplicate policy picks the one that is new and makes the others duplicates, conflicting
     * duplicates or folded; then new rows are judged against silver. Windows over the prepared layout only (same
     * partitioning and order, so no shuffle or sort of their own), no union: counts, quarantine and silver each read
     * the result once.
     */
    Classified classify(Dataset<Row> rows) {
        Dataset<Row> df = duplicates == DuplicatePolicy.REJECT ? rejectDuplicates(rows) : foldDuplicates(rows);
        boolean silverExists = DeltaTables.exists(spark, lake.location(entity.silver()));
        if (silverExists) {
            df = againstSilver(df);
        }
        // Quarantined rows carry their reason in both columns from here on.
        return new Classified(df.withColumn(UnifiedSchema.REASON, when(isRejected(), col(STATUS)).otherwise(lit(null))),
                silverExists);
    }

    /** The window of one key's rows, file and line order; its partition columns start with the layout's. */
    private WindowSpec byKey() {
        List<Column> partitionBy = new ArrayList<>();
        if (entity.isEvents()) {
            // The layout's partition columns first: the window then needs no shuffle and no sort of its own.
            partitionBy.add(col(EventPartitioning.PERIOD));
            partitionBy.add(col("user_bucket"));
        }
        entity.keyNames().forEach(k -> partitionBy.add(col(k)));
        return Window.partitionBy(partitionBy.toArray(Column[]::new))
                .orderBy(col(UnifiedSchema.SOURCE_FILE), col(UnifiedSchema.LINE));
    }

    /**
     * first, last and sum: one valid row per key is new, the other valid rows are folded (accepted, counted, not
     * written). A whole-key frame over the same window spec shares its Window operator, so it costs no extra sort.
     */
    private Dataset<Row> foldDuplicates(Dataset<Row> rows) {
        WindowSpec byKey = byKey();
        WindowSpec wholeKey = byKey.rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
        Column valid = col(UnifiedSchema.REASON).isNull();
        Column one = when(valid, lit(1)).otherwise(lit(0));
        Dataset<Row> df = rows.withColumn("_valid_so_far", sum(one).over(byKey));
        Column kept;
        if (duplicates == DuplicatePolicy.LAST) {
            df = df.withColumn("_valid_total", sum(one).over(wholeKey));
            kept = valid.and(col("_valid_so_far").equalTo(col("_valid_total")));
        } else {
            kept = valid.and(col("_valid_so_far").equalTo(1));
        }
        if (duplicates == DuplicatePolicy.SUM) {
            // The lines of one order: the kept (first) row carries the total weight of its key.
            df = df.withColumn("_weight_sum", sum(when(valid, col("weight"))).over(wholeKey))
                    .withColumn("weight", when(kept, col("_weight_sum")).otherwise(col("weight")));
        }
        return df.withColumn(STATUS, when(valid.unary_$bang(), col(UnifiedSchema.REASON))
                        .when(kept, lit(NEW))
                        .otherwise(lit(FOLDED)))
                .drop("_valid_so_far", "_valid_total", "_weight_sum");
    }

    /** reject: the first valid row of a key is new, later ones are duplicates or conflicting duplicates. */
    private Dataset<Row> rejectDuplicates(Dataset<Row> rows) {
        List<String> values = entity.valueNames();
        WindowSpec byKey = byKey();
        Column valid = col(UnifiedSchema.REASON).isNull();
        Dataset<Row> df = rows.withColumn("_valid_so_far", sum(when(valid, lit(1)).otherwise(lit(0))).over(byKey));
        Column sameAsFirst = lit(true);
        if (!values.isEmpty()) {
            df = df.withColumn("_first_values", first(when(valid, valueStruct()), true).over(byKey));
            sameAsFirst = valueStruct().eqNullSafe(col("_first_values"));
        }
        Column duplicate = valid.and(col("_valid_so_far").gt(1));
        return df.withColumn(STATUS, when(valid.unary_$bang(), col(UnifiedSchema.REASON))
                        .when(duplicate.and(sameAsFirst), lit(RejectReason.DUPLICATE.code()))
                        .when(duplicate, lit(RejectReason.CONFLICTING_DUPLICATE.code()))
                        .otherwise(lit(NEW)))
                .withColumn(UnifiedSchema.DETAIL, when(duplicate, concat(lit("same key as an earlier row of this batch"),
                        when(sameAsFirst, lit("")).otherwise(lit(" with different values"))))
                        .otherwise(col(UnifiedSchema.DETAIL)))
                .withColumn(UnifiedSchema.RAW_TEXT, when(duplicate, rawValuesJoined())
                        .otherwise(col(UnifiedSchema.RAW_TEXT)))
                .drop("_valid_so_far", "_first_values");
    }

    static Column isRejected() {
        return col(STATUS).isin(NEW, UNCHANGED, UPDATED, FOLDED).unary_$bang();
    }

    private Dataset<Row> againstSilver(Dataset<Row> firsts) {
        String location = lake.location(entity.silver());
        List<String> keys = entity.keyNames();
        List<String> values = entity.valueNames();
        Dataset<Row> existing = spark.read().format("delta").load(location);
        if (entity.isEvents()) {
            // Static partition pruning: only the periods this batch touches are read.
            List<Object> periods = firsts.select(EventPartitioning.PERIOD).distinct().collectAsList().stream()
                    .map(r -> r.get(0)).collect(Collectors.toList());
            if (periods.isEmpty()) {
                return firsts;
            }
            existing = existing.filter(col(EventPartitioning.PERIOD).isin(periods.toArray()));
        }
        List<Column> exCols = new ArrayList<>();
        for (String k : keys) {
            exCols.add(col(k).as("_ex_" + k));
        }
        exCols.add(valueStruct().as("_ex_values"));
        exCols.add(lit(true).as("_ex_present"));
        Dataset<Row> ex = existing.select(exCols.toArray(Column[]::new));
        Column on = null;
        for (String k : keys) {
            Column c = col(k).equalTo(col("_ex_" + k));
            on = on == null ? c : on.and(c);
        }
        Dataset<Row> joined = firsts.join(ex, on.and(col(STATUS).equalTo(NEW)), "left");
        Column same = values.isEmpty() ? lit(true) : valueStruct().eqNullSafe(col("_ex_values"));
        Column present = col("_ex_present").isNotNull();
        // Under `first` the row already in silver is the first of its key: a later one with other values folds.
        boolean foldIntoSilver = duplicates == DuplicatePolicy.FIRST;
        Column conflict = present.and(same.unary_$bang()).and(lit(entity.isEvents() && !foldIntoSilver));
        Dataset<Row> out = joined
                .withColumn(UnifiedSchema.RAW_TEXT, when(conflict, rawValuesJoined()).otherwise(col(UnifiedSchema.RAW_TEXT)))
                .withColumn(UnifiedSchema.DETAIL, when(conflict, lit("same key as a row already in " + entity.silver()
                        + " with different values")).otherwise(col(UnifiedSchema.DETAIL)))
                .withColumn(STATUS, when(present.unary_$bang(), col(STATUS))
                        .when(same, lit(UNCHANGED))
                        .otherwise(lit(!entity.isEvents() ? UPDATED
                                : foldIntoSilver ? FOLDED : RejectReason.CONFLICTING_DUPLICATE.code())));
        List<String> drop = new ArrayList<>();
        keys.forEach(k -> drop.add("_ex_" + k));
        drop.add("_ex_values");
        drop.add("_ex_present");
        return out.drop(drop.toArray(String[]::new));
    }

    /** For rows rejected after parsing (duplicates): their raw field values, comma-joined, as their raw text. */
    private Column rawValuesJoined() {
        return org.apache.spark.sql.functions.concat_ws(",", entity.fields().stream()
                .map(f -> org.apache.spark.sql.functions.coalesce(col(UnifiedSchema.raw(f.name())), lit("")))
                .toArray(Column[]::new));
    }

    private Column valueStruct() {
        return struct(entity.valueNames().stream().map(v -> col(v)).toArray(Column[]::new));
    }

    /** bronze.<entity>: every row's raw values and lineage; the raw line too when it could not be split. */
    void writeBronze(Dataset<Row> rows) {
        List<Column> cols = new ArrayList<>();
        for (Field f : entity.fields()) {
            cols.add(col(UnifiedSchema.raw(f.name())).as(f.name()));
        }
        cols.add(when(col(UnifiedSchema.REASON).isin(LINE_LEVEL.toArray()), col(UnifiedSchema.RAW_TEXT))
                .as(UnifiedSchema.RAW_TEXT));
        cols.addAll(lineageColumns());
        Dataset<Row> bronze = rows.select(cols.toArray(Column[]::new));
        append(bronze, lake.location(entity.bronze()));
    }

    /** quarantine.<entity>: rejected rows with reason, detail, raw text, raw values and lineage. */
    void writeQuarantine(Classified classified) {
        List<Column> cols = new ArrayList<>();
        cols.add(col(STATUS).as("reason"));
        cols.add(col(UnifiedSchema.DETAIL).as("detail"));
        cols.add(col(UnifiedSchema.RAW_TEXT).as("raw_text"));
        for (Field f : entity.fields()) {
            cols.add(col(UnifiedSchema.raw(f.name())).as(f.name()));
        }
        cols.add(col(UnifiedSchema.SOURCE_FILE));
        cols.add(col(UnifiedSchema.LINE));
        cols.add(col("_run_id"));
        cols.add(col("_ingested_at"));
        // repartition, not coalesce: coalesce(1) would pull the whole upstream stage (parse, window) into one task.
        Dataset<Row> q = classified.rows().filter(isRejected()).select(cols.toArray(Column[]::new)).repartition(1);
        q.write().format("delta").mode("append").save(lake.location(entity.quarantine()));
    }

    /** Removes earlier quarantine rows for files being retried after a rejected run. */
    void clearRejectedAttempts(Set<String> rejectedRuns) {
        String location = lake.location(entity.quarantine());
        if (rejectedRuns.isEmpty() || !DeltaTables.exists(spark, location)) {
            return;
        }
        DeltaTable.forPath(spark, location).delete(col("_run_id").isin(rejectedRuns.toArray()));
    }

    /** silver.<entity>: new rows appended (events) or merged (dimensions). */
    void writeSilver(Classified classified) {
        List<Column> cols = new ArrayList<>();
        for (Field f : entity.fields()) {
            cols.add(col(f.name()));
        }
        cols.addAll(lineageColumns());
        String location = lake.location(entity.silver());
        if (entity.isEvents()) {
            Dataset<Row> fresh = classified.rows().filter(col(STATUS).equalTo(NEW))
                    .select(cols.toArray(Column[]::new));
            if (classified.relaidOut()) {
                // The join with silver moved rows between tasks: lay them out again, one file per folder.
                fresh = fresh.repartition(col(EventPartitioning.PERIOD), col("user_bucket"))
                        .sortWithinPartitions(layoutOrder()[0], layoutOrder()[1], col("user_id"));
            }
            append(fresh, location);
            return;
        }
        Dataset<Row> changes = classified.rows().filter(col(STATUS).isin(NEW, UPDATED))
                .select(cols.toArray(Column[]::new));
        if (!DeltaTables.exists(spark, location)) {
            changes.coalesce(1).write().format("delta").mode("append").save(location);
            return;
        }
        String on = entity.keyNames().stream().map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND "));
        DeltaTable.forPath(spark, location).as("t").merge(changes.as("s"), on)
                .whenMatched().updateAll()
                .whenNotMatched().insertAll()
                .execute();
    }

    private List<Column> lineageColumns() {
        List<Column> cols = new ArrayList<>(List.of(col(UnifiedSchema.SOURCE_FILE), col(UnifiedSchema.LINE),
                col("_run_id"), col("_ingested_at")));
        if (entity.isEvents()) {
            cols.add(col("event_date"));
            cols.add(col("user_bucket"));
            cols.add(col(EventPartitioning.PERIOD));
        }
        return cols;
    }

    private void append(Dataset<Row> df, String location) {
        if (entity.isEvents()) {
            // Already laid out by prepare(): each (period, bucket) folder in exactly one task, sorted by user, so
            // every folder gets one file per run and per-user reads touch few row groups.
            df.write().format("delta").mode("append").partitionBy(EventPartitioning.PERIOD, "user_bucket")
                    .save(location);
        } else {
            df.coalesce(1).write().format("delta").mode("append").save(location);
        }
    }

    static StorageLevel cacheLevel() {
        return StorageLevel.MEMORY_AND_DISK();
    }
}
