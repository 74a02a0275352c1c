package dev.millrace.jobs.stream;

import dev.millrace.core.events.EventJson;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.spark.SparkSchemas;
import dev.millrace.core.tables.BronzeEvents;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.to_date;

/**
 * Appends valid events to {@code bronze.events} (Delta), once per micro-batch: each append carries Delta's
 * {@code txnAppId} (the query) and {@code txnVersion} (the batch id), and Delta skips an append whose version it has
 * already committed for that application, which makes a re-run batch a no-op.
 */
final class BronzeEventsSink {

    /** The columns of bronze.events, in order: core's contract, the one the Flink job writes through Delta Kernel. */
    static final StructType SCHEMA = SparkSchemas.of(BronzeEvents.CONTRACT);

    private static final Pattern COMMIT_FILE = Pattern.compile("\\d{20}\\.json");

    private final SparkSession spark;
    private final Lake lake;
    private final TableName table;
    private final String location;

    BronzeEventsSink(SparkSession spark, Lake lake, TableName table) {
        this.spark = spark;
        this.lake = lake;
        this.table = table;
        this.location = lake.location(table);
    }

    String location() {
        return location;
    }

    /** Creates the (empty) table when it does not exist yet and registers its name. */
    void ensureTable() {
        if (latestVersion() < 0) {
            spark.createDataFrame(List.of(), SCHEMA).write().format("delta").mode("append")
                    .partitionBy(BronzeEvents.CONTRACT.partitions().toArray(String[]::new)).save(location);
        }
        new LakeCatalog(spark, lake).register(table);
    }

    /**
     * The table's rows for decoded, scored valid events: the contract's fields, event_date, the Kafka coordinates,
     * the ingestion time and the score.
     */
    static Dataset<Row> rows(Dataset<Row> scoredEvents) {
        List<Column> cols = new ArrayList<>();
        for (String name : SCHEMA.fieldNames()) {
            cols.add(switch (name) {
                case BronzeEvents.EVENT_DATE -> to_date(col(EventJson.EVENT_TIME)).as(name);
                case BronzeEvents.INGESTED_AT -> current_timestamp().as(name);
                default -> col(name).cast(SCHEMA.apply(name).dataType()).as(name);
            });
        }
        return scoredEvents.select(cols.toArray(Column[]::new));
    }

    /**
     * Appends {@code rows} as micro-batch {@code batchId} of {@code appId}; returns false when Delta already held
     * that batch (nothing was written).
     */
    boolean append(Dataset<Row> rows, String appId, long batchId) {
        long before = latestVersion();
        rows.write().format("delta").mode("append")
                .option("txnAppId", appId)
                .option("txnVersion", batchId)
                .save(location);
        return latestVersion() > before;
    }

    /** The newest commit version in the table's log (-1: no table), from a listing of {@code _delta_log}. */
    long latestVersion() {
        Path log = new Path(location, "_delta_log");
        try {
            FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(log)) {
                return -1;
            }
            long max = -1;
            for (FileStatus f : fs.listStatus(log)) {
                String name = f.getPath().getName();
                if (COMMIT_FILE.matcher(name).matches()) {
                    max = Math.max(max, Long.parseLong(name.substring(0, 20)));
                }
            }
            return max;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + log, e);
        }
    }
}
