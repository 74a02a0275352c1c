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
 * first row of a key (by file and line) wins and later ones are quarantined as duplicates or conflicting duplicates;
 * against silver, interaction rows already present are counted unchanged and conflicting ones quarantined, while
 * dimension rows (movies, links) are updated in place by a MERGE, the newest delivery being authoritative.
 */
final class EntityWriter {

    static final String STATUS = "_status";
    static final String NEW = "new";
    static final String UNCHANGED = "unchanged";
    static final String UPDATED = "updated";
    private static final Set<String> LINE_LEVEL = Set.of(RejectReason.UNPARSEABLE_LINE.code(),
            RejectReason.WRONG_COLUMN_COUNT.code(), RejectReason.INVALID_ENCODING.code());

    private final SparkSession spark;
    private final Lake lake;
    private final Entity entity;
    private final String runId;
    private final Timestamp ingestedAt;
    private final EventPartitioning partitioning;

    EntityWriter(SparkSession spark, Lake lake, EventPartitioning partitioning, Entity entity, String runId,
                 Timestamp ingestedAt) {
        this.partitioning = partitioning;
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
     * file and line) the first is new and later ones are duplicates or conflicting duplicates; then new rows are
     * judged against silver. One window over the prepared layout, no union: counts, quarantine and silver each read
     * the result once.
     */
    Classified classify(Dataset<Row> rows) {
        List<String> values = entity.valueNames();
        List<Column> partitionBy = new ArrayList<>();
        if (entity.isEvents()) {
            // The layout's partition columns first: the window then needs no shuffle and no sort of its own.
            partitionBy.add(col(EventPartitioning.PERIOD));
            partitionBy.add(col("user_bucket"));
        }
        entity.keyNames().forEach(k -> partitionBy.add(col(k)));
        WindowSpec byKey = Window.partitionBy(partitionBy.toArray(Column[]::new))
                .orderBy(col(UnifiedSchema.SOURCE_FILE), col(UnifiedSchema.LINE));
        Column valid = col(UnifiedSchema.REASON).isNull();
        Dataset<Row> df = rows.withColumn("_valid_so_far", sum(when(valid, lit(1)).otherwise(lit(0))).over(byKey));
        Column sameAsFirst = lit(true);
        if (!values.isEmpty()) {
            df = df.withColumn("_first_values", first(when(valid, valueStruct()), true).over(byKey));
            sameAsFirst = valueStruct().eqNullSafe(col("_first_values"));
        }
        Column duplicate = valid.and(col("_valid_so_far").gt(1));
        df = df.withColumn(STATUS, when(valid.unary_$bang(), col(UnifiedSchema.REASON))
                        .when(duplicate.and(sameAsFirst), lit(RejectReason.DUPLICATE.code()))
                        .when(duplicate, lit(RejectReason.CONFLICTING_DUPLICATE.code()))
                        .otherwise(lit(NEW)))
                .withColumn(UnifiedSchema.DETAIL, when(duplicate, concat(lit("same key as an earlier row of this batch"),
                        when(sameAsFirst, lit("")).otherwise(lit(" with different values"))))
                        .otherwise(col(UnifiedSchema.DETAIL)))
                .withColumn(UnifiedSchema.RAW_TEXT, when(duplicate, rawValuesJoined())
                        .otherwise(col(UnifiedSchema.RAW_TEXT)))
                .drop("_valid_so_far", "_first_values");
        boolean silverExists = DeltaTables.exists(spark, lake.location(entity.silver()));
        if (silverExists) {
            df = againstSilver(df);
        }
        // Quarantined rows carry their reason in both columns from here on.
        return new Classified(df.withColumn(UnifiedSchema.REASON, when(isRejected(), col(STATUS)).otherwise(lit(null))),
                silverExists);
    }

    static Column isRejected() {
        return col(STATUS).isin(NEW, UNCHANGED, UPDATED).unary_$bang();
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
        Column conflict = present.and(same.unary_$bang()).and(lit(entity.isEvents()));
        Dataset<Row> out = joined
                .withColumn(UnifiedSchema.RAW_TEXT, when(conflict, rawValuesJoined()).otherwise(col(UnifiedSchema.RAW_TEXT)))
                .withColumn(UnifiedSchema.DETAIL, when(conflict, lit("same key as a row already in " + entity.silver()
                        + " with different values")).otherwise(col(UnifiedSchema.DETAIL)))
                .withColumn(STATUS, when(present.unary_$bang(), col(STATUS))
                        .when(same, lit(UNCHANGED))
                        .otherwise(lit(entity.isEvents() ? RejectReason.CONFLICTING_DUPLICATE.code() : UPDATED)));
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
