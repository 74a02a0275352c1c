package dev.millrace.jobs.stream;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.events.DlqRecord;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.udfs.onnx.OnnxMlpWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Exactly once, end to end, with a real broker: good and malformed events in, a stop mid-stream or a crash between
 * the Delta commit and Spark's checkpoint commit, a restart from the checkpoint; afterwards bronze.events holds each
 * good event once and the DLQ topic each bad record once, with its reason. Far-future events among the good ones go
 * to the DLQ as future_event and move no watermark: no good event after them, before or after the restart, is late.
 */
class SparkStreamExactlyOnceTest {

    private static KafkaBrokerProcess broker;
    private static Path modelFile;

    @BeforeAll
    static void startBroker() throws Exception {
        SharedSpark.session();
        Path dir = SharedSpark.newLakeDir("stream-spark-kafka");
        broker = KafkaBrokerProcess.start(dir.resolve("kafka"));
        // A small MLP (4 inputs -> 1 score) in ONNX, scored through the udfs module like any ranker.
        modelFile = dir.resolve("ranker.onnx");
        Files.write(modelFile, OnnxMlpWriter.write(new int[] {4, 8, 1}, null, 11));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static MillraceConfig config(String name, String topic, long maxOffsets) {
        return SharedSpark.configWithLake(name).with(Map.of(
                "millrace.kafka.bootstrap-servers", broker.bootstrapServers(),
                "millrace.stream.spark.topic", topic,
                "millrace.stream.spark.dlq-topic", topic + "-dlq",
                "millrace.stream.spark.trigger", "0s",
                "millrace.stream.spark.max-offsets-per-trigger", maxOffsets,
                "millrace.stream.spark.allowed-lateness", "5m",
                "millrace.stream.spark.idle-timeout", "1s",
                "millrace.stream.spark.scoring.model.location", modelFile.toString()));
    }

    @Test
    void stopMidStreamAndRestartFromCheckpointWritesEachEventOnce() throws Exception {
        String topic = "events-stop";
        int partitions = 3;
        createTopic(topic, partitions);
        List<StreamTestData.Input> first = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            first.add(StreamTestData.good(i));
            if (i % 12 == 5) {
                first.add(StreamTestData.bad(i / 12));
            }
            if (i == 2) {
                // Among the first records of partition 0, so in the first micro-batch: all later batches would be late.
                first.add(StreamTestData.future(1));
            }
        }
        StreamTestData.produce(broker.bootstrapServers(), topic, partitions, first);
        MillraceConfig config = config("stream-stop", topic, 40);
        SparkSession spark = SharedSpark.session();

        // Small batches first, so that two of them leave most of the topic unread.
        Map<String, Object> run1 = new SparkStreamJob(spark, config).run(new SparkStreamJob.Limits(2, false));
        long afterStop = bronzeCount(spark, config);
        assertThat((long) run1.get("micro_batches")).isGreaterThanOrEqualTo(2);
        assertThat(afterStop).as("stopped mid-stream").isGreaterThan(0).isLessThan(240);
        assertThat(run1.get("rejected_by_reason")).asString().contains("future_event=1").doesNotContain("late_event");

        // More arrives while the job is down, including events an hour older than the watermark.
        List<StreamTestData.Input> second = new ArrayList<>();
        for (int i = 240; i < 270; i++) {
            second.add(StreamTestData.good(i));
        }
        second.add(StreamTestData.late(1));
        second.add(StreamTestData.future(2));
        second.add(StreamTestData.bad(200));
        second.add(StreamTestData.late(2));
        second.add(StreamTestData.bad(201));
        second.add(StreamTestData.late(3));
        StreamTestData.produce(broker.bootstrapServers(), topic, partitions, second);

        // The restart resumes from the checkpoint (a larger batch size is allowed there).
        Map<String, Object> run2 = new SparkStreamJob(spark, config.with(Map.of("millrace.stream.spark.max-offsets-per-trigger", 1000)))
                .run(new SparkStreamJob.Limits(0, true));

        List<StreamTestData.Input> all = new ArrayList<>(first);
        all.addAll(second);
        assertExactlyOnce(spark, config, topic + "-dlq", all);
        assertThat((long) run2.get("events_written")).isPositive();
        assertThat(run2.get("rejected_by_reason")).asString().contains("late_event=3", "future_event=1");
    }

    @Test
    void batchRerunAfterCrashBetweenDeltaCommitAndCheckpointWritesNothingTwice() throws Exception {
        String topic = "events-crash";
        int partitions = 2;
        createTopic(topic, partitions);
        List<StreamTestData.Input> inputs = sixtyGoodWithABadOneInSix();
        StreamTestData.produce(broker.bootstrapServers(), topic, partitions, inputs);
        MillraceConfig config = config("stream-crash", topic, 30);
        SparkSession spark = SharedSpark.session();

        // Batch 1 has written Delta and the DLQ when the "crash" comes, before Spark commits it to the checkpoint.
        AtomicBoolean crashed = new AtomicBoolean();
        SparkStreamJob crashing = new SparkStreamJob(spark, config, batchId -> {
            if (batchId == 1 && crashed.compareAndSet(false, true)) {
                throw new IllegalStateException("injected crash after the commits of batch 1");
            }
        });
        assertThatThrownBy(() -> crashing.run(new SparkStreamJob.Limits(0, true)))
                .isInstanceOf(StreamingQueryException.class)
                .hasStackTraceContaining("injected crash");
        assertThat(crashed).isTrue();

        Map<String, Object> rerun = new SparkStreamJob(spark, config).run(new SparkStreamJob.Limits(0, true));
        assertThat(rerun.get("batches_already_in_delta")).as("batch 1 re-ran as a Delta no-op").isEqualTo(1L);
        assertThat(rerun.get("batches_already_in_dlq")).as("batch 1's rejects not sent again").isEqualTo(1L);
        assertExactlyOnce(spark, config, topic + "-dlq", inputs);
    }

    @Test
    void aTaskThatFailsAfterAnotherPartitionsDlqCommitIsRepairedWithoutDuplicates() throws Exception {
        String topic = "events-dlq-partial";
        int partitions = 2;
        createTopic(topic, partitions);
        List<StreamTestData.Input> inputs = sixtyGoodWithABadOneInSix();
        // Round robin over the two partitions: the first 30 records (batch 0) hold rejects in both.
        StreamTestData.produce(broker.bootstrapServers(), topic, partitions, inputs);
        MillraceConfig config = config("stream-dlq-partial", topic, 30);
        SparkSession spark = SharedSpark.session();

        // Batch 0: Kafka partition 0's rejects are committed to the DLQ, then partition 1's task fails before its
        // commit. (Tasks need not read the partitions in the same order on the re-run: the writers go by partition.)
        CountDownLatch partition0Committed = new CountDownLatch(1);
        AtomicBoolean failed = new AtomicBoolean();
        DlqWriter.commitHook = new DlqWriter.CommitHook() {
            @Override
            public void beforeCommit(String transactionalId, long batchId) {
                if (batchId == 0 && transactionalId.endsWith("-dlq-" + topic + "-1") && failed.compareAndSet(false, true)) {
                    try {
                        assertThat(partition0Committed.await(60, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IllegalStateException("injected task failure before partition 1's DLQ commit");
                }
            }

            @Override
            public void afterCommit(String transactionalId, long batchId) {
                if (batchId == 0 && transactionalId.endsWith("-dlq-" + topic + "-0")) {
                    partition0Committed.countDown();
                }
            }
        };
        try {
            assertThatThrownBy(() -> new SparkStreamJob(spark, config).run(new SparkStreamJob.Limits(0, true)))
                    .isInstanceOf(StreamingQueryException.class)
                    .hasStackTraceContaining("injected task failure");
        } finally {
            DlqWriter.commitHook = null;
        }
        assertThat(failed).isTrue();
        assertThat(bronzeCount(spark, config)).as("the DLQ comes before Delta: nothing appended").isZero();

        Map<String, Object> rerun = new SparkStreamJob(spark, config).run(new SparkStreamJob.Limits(0, true));
        assertThat(rerun.get("batches_already_in_dlq")).as("batch 0's partition 0 not sent again").isEqualTo(1L);
        assertExactlyOnce(spark, config, topic + "-dlq", inputs);
    }

    private static void assertExactlyOnce(SparkSession spark, MillraceConfig config, String dlqTopic,
                                          List<StreamTestData.Input> produced) {
        List<String> expectedIds = produced.stream().filter(in -> in.expectedReason() == null)
                .map(StreamTestData.Input::eventId).sorted().toList();
        String table = SparkStreamSettings.from(config).table().qualified();
        new dev.millrace.core.lake.LakeCatalog(spark, dev.millrace.core.lake.Lake.from(config)).registerAll();
        List<String> ids = spark.sql("SELECT event_id FROM " + table).collectAsList().stream()
                .map(r -> r.getString(0)).sorted().toList();
        assertThat(ids).as("bronze holds each good event exactly once").isEqualTo(expectedIds);
        // String keys as produced: UUID users, items from JSON integers (their decimal text) and SKU strings.
        Map<String, String> keys = new HashMap<>();
        spark.sql("SELECT event_id, user_id, item_id FROM " + table).collectAsList()
                .forEach(r -> keys.put(r.getString(0), r.getString(1) + "/" + r.getString(2)));
        Map<String, String> expectedKeys = new HashMap<>();
        produced.stream().filter(in -> in.expectedReason() == null).forEach(in -> expectedKeys.put(in.eventId(), in.keys()));
        assertThat(keys).isEqualTo(expectedKeys);
        assertThat(keys.values()).anyMatch(k -> k.contains("SKU-")).anyMatch(k -> k.matches(".*/\\d+"));
        Row nulls = spark.sql("SELECT count_if(score IS NULL), count_if(kafka_offset IS NULL), "
                + "count_if(event_date <> to_date(event_time)) FROM " + table).first();
        assertThat(nulls.getLong(0)).as("every row scored").isZero();
        assertThat(nulls.getLong(1)).isZero();
        assertThat(nulls.getLong(2)).isZero();

        List<DlqRecord> dlq = StreamTestData.readDlq(broker.bootstrapServers(), dlqTopic);
        Map<String, String> expectedBad = new HashMap<>();
        produced.stream().filter(in -> in.expectedReason() != null)
                .forEach(in -> expectedBad.merge(in.value() + " -> " + in.expectedReason(), "x", String::concat));
        Map<String, String> actualBad = new HashMap<>();
        dlq.forEach(d -> actualBad.merge(d.raw() + " -> " + d.reason(), "x", String::concat));
        assertThat(actualBad).as("the DLQ holds each bad record exactly once, with its reason").isEqualTo(expectedBad);
        assertThat(dlq).allSatisfy(d -> {
            assertThat(d.detail()).isNotBlank();
            assertThat(d.offset()).isGreaterThanOrEqualTo(0);
        });
        assertThat(dlq.stream().map(d -> d.partition() + "/" + d.offset()).collect(Collectors.toSet())).hasSize(dlq.size());
    }

    private static long bronzeCount(SparkSession spark, MillraceConfig config) {
        return spark.read().format("delta").load(dev.millrace.core.lake.Lake.from(config)
                .location(SparkStreamSettings.from(config).table())).count();
    }

    private static void createTopic(String topic, int partitions) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, partitions, (short) 1)))
                    .all().get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** 60 good events with a bad one before every sixth (10 bad). */
    private static List<StreamTestData.Input> sixtyGoodWithABadOneInSix() {
        List<StreamTestData.Input> inputs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            inputs.add(StreamTestData.good(i));
            if (i % 6 == 0) {
                inputs.add(StreamTestData.bad(i / 6));
            }
        }
        return inputs;
    }
}
