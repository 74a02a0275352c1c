package dev.millrace.jobs.stream;

import dev.millrace.core.events.EventValidator;
import dev.millrace.core.kafka.KafkaSettings;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The work of one micro-batch ({@code foreachBatch}): decode and validate the Kafka records with the shared rules,
 * write the rejects to the DLQ topic from the executors ({@link DlqPartitionWriter}: once per batch and input
 * partition, in a Kafka transaction with a marker; only the counts by reason reach the driver), score the valid events
 * and append them to bronze.events (once per batch, Delta txnAppId/txnVersion), then record the batch's largest
 * event time for the next batch's lateness check. Spark commits the batch to its checkpoint only after this returns;
 * a crash before that re-runs the batch on the same offsets, and both sinks recognise it and write nothing.
 */
final class MicroBatchWriter implements VoidFunction2<Dataset<Row>, Long> {

    private static final Logger LOG = LoggerFactory.getLogger(MicroBatchWriter.class);
    /** Spark sets this local property on the query's thread: the query id, kept in the checkpoint's metadata. */
    private static final String QUERY_ID_PROPERTY = "sql.streaming.queryId";

    /** Called after both sinks and the watermark log, before Spark's commit: tests inject a crash there. */
    @FunctionalInterface
    interface AfterBatchHook {
        void afterBatch(long batchId);
    }

    private final SparkStreamSettings settings;
    private final KafkaSettings kafka;
    private final BronzeEventsSink sink;
    private final EventScoring scoring;
    private final WatermarkLog watermarks;
    private final StreamStats stats;
    private final AfterBatchHook hook;
    private final EventValidator validator;
    private boolean dlqTopicChecked;
    private String appId;

    MicroBatchWriter(SparkStreamSettings settings, KafkaSettings kafka, BronzeEventsSink sink, EventScoring scoring,
                     WatermarkLog watermarks, StreamStats stats, AfterBatchHook hook) {
        this.settings = settings;
        this.kafka = kafka;
        this.sink = sink;
        this.scoring = scoring;
        this.watermarks = watermarks;
        this.stats = stats;
        this.hook = hook;
        this.validator = settings.validator();
    }

    @Override
    public void call(Dataset<Row> records, Long batchId) {
        SparkSession spark = records.sparkSession();
        String app = appId(spark);
        OptionalLong watermark = watermarks.before(batchId);
        Dataset<Row> decoded = records.select("value", "topic", "partition", "offset")
                .mapPartitions(new EventDecoder(validator, watermark, settings.allowedLateness().toMillis()),
                        Encoders.row(EventDecoder.SCHEMA))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            // One pass for the numbers, one for the rejects (written by the executors that hold them).
            Row totals = decoded.agg(count(lit(1)), count(when(col("reason").isNull(), lit(1))),
                    max(when(col("reason").isNull(), col("event_time")))).first();
            long read = totals.getLong(0);
            long valid = totals.getLong(1);
            OptionalLong maxEventTime = watermark;
            if (!totals.isNullAt(2)) {
                long batchMax = ((Timestamp) totals.get(2)).getTime();
                if (maxEventTime.isEmpty() || batchMax > maxEventTime.getAsLong()) {
                    maxEventTime = OptionalLong.of(batchMax);
                }
            }
            Map<String, Long> rejects = new TreeMap<>();
            boolean dlqSkipped = false;
            if (read > valid) {
                ensureDlqTopic();
                // One row per reason comes back: the counts are summed on the executors, the records never leave them.
                Dataset<Row> outcome = decoded.filter(col("reason").isNotNull())
                        .select("reason", "detail", "raw", "kafka_topic", "kafka_partition", "kafka_offset")
                        .mapPartitions(new DlqPartitionWriter(kafka, settings.dlqTopic(), app, batchId, Instant.now()),
                                Encoders.row(DlqPartitionWriter.SCHEMA))
                        .groupBy("reason").agg(sum("rejected"), max("skipped"));
                for (Row r : outcome.collectAsList()) {
                    rejects.put(r.getString(0), r.getLong(1));
                    dlqSkipped |= r.getInt(2) > 0;
                }
                if (dlqSkipped) {
                    LOG.info("batch {}: rejects already in {} (re-run after a crash), not written again", batchId,
                            settings.dlqTopic());
                }
            }

            boolean deltaSkipped = false;
            if (valid > 0) {
                Dataset<Row> events = decoded.filter(col("reason").isNull());
                deltaSkipped = !sink.append(BronzeEventsSink.rows(scoring.score(events)), app, batchId);
                if (deltaSkipped) {
                    LOG.info("batch {}: already committed to {} (re-run after a crash), not written again", batchId, sink.location());
                }
            }
            watermarks.record(batchId, maxEventTime);
            stats.batchDone(batchId, read, valid, rejects, deltaSkipped, dlqSkipped, System.currentTimeMillis());
            hook.afterBatch(batchId);
        } finally {
            decoded.unpersist();
        }
    }

    private String appId(SparkSession spark) {
        String queryId = spark.sparkContext().getLocalProperty(QUERY_ID_PROPERTY);
        if (queryId == null) {
            throw new IllegalStateException("no streaming query id on this thread (" + QUERY_ID_PROPERTY + ")");
        }
        String id = "millrace-stream-spark-" + queryId;
        if (appId != null && !appId.equals(id)) {
            throw new IllegalStateException("one writer serves one query: " + appId + " vs " + id);
        }
        appId = id;
        return id;
    }

    private void ensureDlqTopic() {
        if (!dlqTopicChecked) {
            DlqWriter.ensureTopic(kafka, settings.dlqTopic(), settings.dlqPartitions());
            dlqTopicChecked = true;
        }
    }

    /** Closes this JVM's DLQ clients (all of them in local mode, where the executors are this JVM). */
    void close() {
        DlqWriter.closeAll();
    }
}
