package dev.millrace.jobs.stream;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.kafka.KafkaSettings;
import dev.millrace.core.lake.Lake;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryStatus;
import org.apache.spark.sql.streaming.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The Spark Structured Streaming job: Kafka events topic -> validation (shared rules) -> DLQ topic for rejects ->
 * DJL scoring -> bronze.events, checkpointed, each micro-batch written once. Runs until stopped, until a number of
 * micro-batches, or until the topic has been idle for a while.
 */
public final class SparkStreamJob {

    private static final Logger LOG = LoggerFactory.getLogger(SparkStreamJob.class);
    private static final long POLL_MILLIS = 200;

    /** When to stop: after {@code maxBatches} micro-batches (0: no limit) and/or once idle (no new records). */
    public record Limits(long maxBatches, boolean untilIdle) {
        public static Limits unbounded() {
            return new Limits(0, false);
        }
    }

    private final SparkSession spark;
    private final MillraceConfig config;
    private final SparkStreamSettings settings;
    private final KafkaSettings kafka;
    private final MicroBatchWriter.AfterBatchHook hook;
    private volatile boolean stopRequested;

    public SparkStreamJob(SparkSession spark, MillraceConfig config) {
        this(spark, config, batchId -> { });
    }

    SparkStreamJob(SparkSession spark, MillraceConfig config, MicroBatchWriter.AfterBatchHook hook) {
        this.spark = spark;
        this.config = config;
        this.settings = SparkStreamSettings.from(config);
        this.kafka = KafkaSettings.from(config);
        this.hook = hook;
    }

    /** Asks a running {@link #run} to stop at its next check (from a shutdown hook, for instance). */
    public void requestStop() {
        stopRequested = true;
    }

    public SparkStreamSettings settings() {
        return settings;
    }

    /**
     * Runs the query until a limit is reached (or it fails) and returns the run's numbers. A failure of a
     * micro-batch stops the query and is thrown; running again resumes from the checkpoint.
     */
    public Map<String, Object> run(Limits limits) throws StreamingQueryException, TimeoutException {
        long started = System.currentTimeMillis();
        StreamStats stats = new StreamStats(started);
        EventScoring scoring = EventScoring.create(spark, settings.scoring());
        BronzeEventsSink sink = new BronzeEventsSink(spark, Lake.from(config), settings.table());
        sink.ensureTable();
        MicroBatchWriter writer = new MicroBatchWriter(settings, kafka, sink, scoring,
                new WatermarkLog(settings.checkpoint(), spark.sparkContext().hadoopConfiguration()), stats, hook);
        StreamProgressListener listener = new StreamProgressListener(stats);
        spark.streams().addListener(listener);
        StreamingQuery query = null;
        try {
            query = start(writer);
            listener.follow(query.id());
            LOG.info("stream spark: query {} reading {} from {} into {} (checkpoint {}, scoring {})", query.id(),
                    settings.topic(), kafka.bootstrapServers(), settings.table(), settings.checkpoint(), scoring.describe());
            waitForLimits(query, limits, stats);
        } finally {
            if (query != null && query.isActive()) {
                query.stop();
            }
            spark.streams().removeListener(listener);
            writer.close();
        }
        if (query.exception().isDefined()) {
            throw query.exception().get();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("topic", settings.topic());
        out.put("bootstrap_servers", kafka.bootstrapServers());
        out.put("table", settings.table().qualified());
        out.put("dlq_topic", settings.dlqTopic());
        out.put("checkpoint", settings.checkpoint());
        out.put("query_id", query.id().toString());
        out.put("model", scoring.describe());
        out.putAll(stats.toMap());
        scoring.stats().ifPresent(s -> out.put("scoring", s.toMap()));
        return out;
    }

    private StreamingQuery start(MicroBatchWriter writer) throws TimeoutException {
        DataStreamReader reader = spark.readStream().format("kafka")
                .option("subscribe", settings.topic())
                .option("startingOffsets", settings.startingOffsets())
                // A topic truncated by retention while the job was down is reported, not silently skipped.
                .option("failOnDataLoss", "true");
        kafka.sparkSourceOptions().forEach(reader::option);
        if (settings.maxOffsetsPerTrigger() > 0) {
            reader = reader.option("maxOffsetsPerTrigger", settings.maxOffsetsPerTrigger());
        }
        Dataset<Row> records = reader.load();
        return records.writeStream()
                .queryName("millrace-stream-spark")
                .option("checkpointLocation", settings.checkpoint())
                .trigger(Trigger.ProcessingTime(settings.trigger().toMillis()))
                .foreachBatch(writer)
                .start();
    }

    private void waitForLimits(StreamingQuery query, Limits limits, StreamStats stats) throws StreamingQueryException {
        long idleMillis = settings.idleTimeout().toMillis();
        long idleSince = -1;
        while (!query.awaitTermination(POLL_MILLIS)) {
            if (stopRequested) {
                LOG.info("stream spark: stop requested");
                return;
            }
            if (limits.maxBatches() > 0 && stats.batches() >= limits.maxBatches()) {
                LOG.info("stream spark: {} micro-batches done, stopping", stats.batches());
                return;
            }
            if (limits.untilIdle()) {
                long now = System.currentTimeMillis();
                StreamingQueryStatus status = query.status();
                // Idle: a trigger has completed and the latest found no new offsets (the flag stays false through
                // later empty triggers, so back-to-back triggers do not reset the clock).
                boolean triggered = stats.batches() > 0 || query.lastProgress() != null;
                boolean idle = triggered && !status.isDataAvailable();
                idleSince = idle ? (idleSince < 0 ? now : idleSince) : -1;
                if (idleSince >= 0 && now - idleSince >= idleMillis && now - stats.lastDataAtMillis() >= idleMillis) {
                    LOG.info("stream spark: no new records for {}, stopping", settings.idleTimeout());
                    return;
                }
            }
        }
    }
}
