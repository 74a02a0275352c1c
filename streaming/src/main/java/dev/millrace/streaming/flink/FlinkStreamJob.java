package dev.millrace.streaming.flink;

import dev.millrace.core.events.DlqRecord;
import dev.millrace.core.kafka.KafkaSettings;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.streaming.delta.DeltaKernelSink;
import dev.millrace.streaming.rerank.RerankFunction;
import dev.millrace.streaming.rerank.RerankSettings;
import dev.millrace.streaming.rerank.RerankSink;
import dev.millrace.streaming.rerank.RerankedList;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;

/**
 * The Flink streaming job: Kafka events (validated as read, event-time watermarks per partition) -> lateness check
 * -> DLQ topic for rejects; valid events -> bronze.events through the two-phase-commit Delta Kernel sink, and ->
 * per-user sliding-window features -> the online store (and, when enabled, DJL re-ranking of the user's published
 * candidates -> the online store). Like the jobs of apache/flink-training it takes its source
 * and sinks as constructor arguments, so a test runs this exact graph with a bounded source or a failing sink.
 */
public final class FlinkStreamJob {

    private final FlinkStreamSettings settings;
    private final Source<Validated, ?, ?> source;
    private final Sink<Validated> dlqSink;
    private final Sink<Validated> bronzeSink;
    private final Sink<UserFeatures> featureSink;
    private final RerankFunction rerank;
    private final Sink<RerankedList> rerankSink;

    public FlinkStreamJob(FlinkStreamSettings settings, Source<Validated, ?, ?> source, Sink<Validated> dlqSink,
                          Sink<Validated> bronzeSink, Sink<UserFeatures> featureSink) {
        this(settings, source, dlqSink, bronzeSink, featureSink, null, null);
    }

    /** With streaming re-ranking: each feature update also goes through {@code rerank} into {@code rerankSink}. */
    public FlinkStreamJob(FlinkStreamSettings settings, Source<Validated, ?, ?> source, Sink<Validated> dlqSink,
                          Sink<Validated> bronzeSink, Sink<UserFeatures> featureSink, RerankFunction rerank,
                          Sink<RerankedList> rerankSink) {
        this.settings = settings;
        this.source = source;
        this.dlqSink = dlqSink;
        this.bronzeSink = bronzeSink;
        this.featureSink = featureSink;
        this.rerank = rerank;
        this.rerankSink = rerankSink;
    }

    /** Adds the job's operators to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        WatermarkStrategy<Validated> watermarks = WatermarkStrategy
                .<Validated>forBoundedOutOfOrderness(settings.maxOutOfOrderness())
                // Rejected records carry no event time: they must not move the watermark.
                .withTimestampAssigner((v, kafkaTs) -> v.valid ? v.eventTimeMillis : Long.MIN_VALUE)
                .withIdleness(Duration.ofSeconds(30));
        DataStream<Validated> checked = env.fromSource(source, watermarks, "kafka-events").uid("kafka-events")
                .keyBy(v -> v.topic + "#" + v.partition)
                .process(new LatenessCheck(settings.maxOutOfOrderness().toMillis(), settings.allowedLateness().toMillis()))
                .name("validate-and-lateness").uid("lateness");
        checked.filter(v -> !v.valid).name("rejects").uid("rejects")
                .sinkTo(dlqSink).name("dlq").uid("dlq");
        DataStream<Validated> valid = checked.filter(v -> v.valid).name("valid").uid("valid");
        // One writer and one committer: one Delta transaction-version sequence for the app id.
        valid.sinkTo(bronzeSink).name("bronze-events").uid("bronze-events").setParallelism(1);
        DataStream<UserFeatures> features = valid.keyBy(v -> v.userId)
                .process(new UserWindowFeatures(settings.lastN())).name("user-window-features").uid("user-features");
        features.sinkTo(featureSink).name("online-features").uid("online-features");
        if (rerank != null) {
            features.keyBy(f -> RerankFunction.bucket(f.userId))
                    .process(rerank).name("djl-rerank").uid("rerank")
                    .sinkTo(rerankSink).name("online-reranked").uid("online-reranked");
        }
    }

    /** The Flink configuration for the settings: exactly-once checkpoints, restarts, retained checkpoints. */
    public static Configuration flinkConfiguration(FlinkStreamSettings s) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, s.checkpointInterval());
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, s.checkpointDir());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        // Hadoop's and Kafka's shutdown hooks touch classes after a local job ends: no leak, only a noisy check.
        conf.setString("classloader.check-leaked-classloader", "false");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, s.restartAttempts());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, s.restartDelay());
        return conf;
    }

    /** The production job: Kafka source and DLQ sink from {@code kafka}, Delta Kernel sink, online store sink. */
    public static FlinkStreamJob kafka(FlinkStreamSettings s, KafkaSettings kafka, StoreSettings store, boolean bounded,
                                       FeatureWriteListener listener, RerankSettings rerank) {
        return new FlinkStreamJob(s, kafkaSource(s, kafka, bounded), dlqSink(s, kafka),
                new DeltaKernelSink(s.bronzeTablePath(), s.bronzeAppId()),
                new OnlineFeatureSink(store, s.featureEntity(), s.featureTtl(), listener),
                rerank.enabled() ? new RerankFunction(rerank, store) : null,
                rerank.enabled() ? new RerankSink(store, rerank.entity(), s.featureTtl()) : null);
    }

    /**
     * Events source, validating with the conf's rules ({@link FlinkStreamSettings#validator()}); {@code bounded} stops
     * at the offsets that are latest when the job starts.
     */
    public static KafkaSource<Validated> kafkaSource(FlinkStreamSettings s, KafkaSettings kafka, boolean bounded) {
        Properties props = new Properties();
        props.putAll(kafka.clientProperties());
        props.put("commit.offsets.on.checkpoint", "true");
        // The DLQ and other transactional topics are read committed-only elsewhere; here it keeps aborted test data out.
        props.put("isolation.level", "read_committed");
        KafkaSourceBuilder<Validated> b = KafkaSource.<Validated>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setTopics(s.topic())
                .setGroupId(s.consumerGroup())
                .setProperties(props)
                .setStartingOffsets(startingOffsets(s.startingOffsets()))
                .setDeserializer(new EventDeserializer(s.validator()));
        if (bounded) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    static OffsetsInitializer startingOffsets(String mode) {
        return switch (mode) {
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            case "committed" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default -> throw new IllegalArgumentException(
                    "millrace.stream.flink.starting-offsets must be earliest, latest or committed, got '" + mode + "'");
        };
    }

    /** DLQ sink: one DLQ record JSON per reject, in Kafka transactions committed with the checkpoints. */
    public static KafkaSink<Validated> dlqSink(FlinkStreamSettings s, KafkaSettings kafka) {
        Properties props = new Properties();
        props.putAll(kafka.clientProperties());
        props.put("transaction.timeout.ms", String.valueOf(s.transactionTimeout().toMillis()));
        String topic = s.dlqTopic();
        return KafkaSink.<Validated>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(KafkaRecordSerializationSchema.<Validated>builder()
                        .setTopic(topic)
                        .setValueSerializationSchema(new DlqSerialization())
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(s.consumerGroup() + "-dlq")
                .build();
    }

    /** A reject as its DLQ record JSON (a named class: Flink cannot infer the types of a lambda here). */
    static final class DlqSerialization implements SerializationSchema<Validated> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(Validated v) {
            DlqRecord d = v.dlqRecord();
            return d.toJson().getBytes(StandardCharsets.UTF_8);
        }
    }
}
