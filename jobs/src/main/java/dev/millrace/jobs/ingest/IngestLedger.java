package dev.millrace.jobs.ingest;

import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.sql.Timestamp;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.apache.spark.sql.functions.col;

/**
 * {@code meta.ingested_files}: one row per source file an ingest run has processed, with the run and its outcome.
 * It is what makes ingest incremental (a file already ingested with the same size and modification time is
 * skipped) and its append is the run's commit point: a run whose id is not here did not finish (see
 * {@link RunRecovery}).
 */
final class IngestLedger {

    static final TableName TABLE = TableName.of("meta", "ingested_files");
    static final String INGESTED = "ingested";
    static final String REJECTED = "rejected";

    static final StructType SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("source_file", DataTypes.StringType, false),
            DataTypes.createStructField("size", DataTypes.LongType, false),
            DataTypes.createStructField("modified_at", DataTypes.TimestampType, false),
            DataTypes.createStructField("entity", DataTypes.StringType, false),
            DataTypes.createStructField("run_id", DataTypes.StringType, false),
            DataTypes.createStructField("status", DataTypes.StringType, false),
            DataTypes.createStructField("rows", DataTypes.LongType, false),
            DataTypes.createStructField("logical_date", DataTypes.DateType, true),
            DataTypes.createStructField("ingested_at", DataTypes.TimestampType, false)));

    private final SparkSession spark;
    private final String location;

    IngestLedger(SparkSession spark, Lake lake) {
        this.spark = spark;
        this.location = lake.location(TABLE);
    }

    boolean exists() {
        return DeltaTables.exists(spark, location);
    }

    private Dataset<Row> table() {
        return spark.read().format("delta").load(location);
    }

    static String identity(SourceFile f) {
        return f.path() + "|" + f.size() + "|" + f.modifiedAt();
    }

    /** Identities of files ingested successfully. */
    Set<String> ingested() {
        Set<String> out = new HashSet<>();
        if (!exists()) {
            return out;
        }
        for (Row r : table().filter(col("status").equalTo(INGESTED)).select("source_file", "size", "modified_at")
                .collectAsList()) {
            out.add(r.getString(0) + "|" + r.getLong(1) + "|" + r.getTimestamp(2).getTime());
        }
        return out;
    }

    /** Every run id that reached its commit point. */
    Set<String> runIds() {
        Set<String> out = new HashSet<>();
        if (exists()) {
            for (Row r : table().select("run_id").distinct().collectAsList()) {
                out.add(r.getString(0));
            }
        }
        return out;
    }

    /** Runs that rejected any of these files (their quarantine rows are replaced when the files are retried). */
    Set<String> rejectedRuns(List<SourceFile> files) {
        Set<String> out = new HashSet<>();
        if (!exists() || files.isEmpty()) {
            return out;
        }
        Set<String> paths = new HashSet<>();
        files.forEach(f -> paths.add(f.path()));
        for (Row r : table().filter(col("status").equalTo(REJECTED)).select("run_id", "source_file").collectAsList()) {
            if (paths.contains(r.getString(1))) {
                out.add(r.getString(0));
            }
        }
        return out;
    }

    static Row entry(SourceFile f, Entity entity, String runId, String status, long rows, Date logicalDate,
                     Timestamp at) {
        return RowFactory.create(f.path(), f.size(), new Timestamp(f.modifiedAt()), entity.tableName(), runId, status,
                rows, logicalDate, at);
    }

    void append(List<Row> entries) {
        if (entries.isEmpty()) {
            return;
        }
        spark.createDataFrame(entries, SCHEMA).coalesce(1).write().format("delta").mode("append").save(location);
    }
}
