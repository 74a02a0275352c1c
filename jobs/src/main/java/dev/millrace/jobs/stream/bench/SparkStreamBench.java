package dev.millrace.jobs.stream.bench;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.spark.SparkSessions;
import dev.millrace.jobs.stream.SparkStreamJob;
import dev.millrace.udfs.onnx.OnnxMlpWriter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.SparkSession;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of {@code stream spark} against a running broker: produces N events (1% malformed) into a fresh topic,
 * reads them once with a plain consumer (the broker's own rate, the baseline), then lets the job drain the topic
 * (validation, DLQ, ONNX scoring, Delta) and reports its records per second over its micro-batches.
 * Usage: {@code bin/run-class dev.millrace.jobs.stream.bench.SparkStreamBench BOOTSTRAP [EVENTS] [PARTITIONS]
 * [MAX_OFFSETS_PER_TRIGGER]}.
 * The last line is {@code stream-spark ratio=<job/consume> ...}.
 */
public final class SparkStreamBench {

    private SparkStreamBench() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        String maxOffsets = args.length > 3 ? args[3] : "50000";
        String topic = "bench-spark-" + System.currentTimeMillis();
        Path dir = Files.createTempDirectory("millrace-stream-bench");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()))).all().get(60, TimeUnit.SECONDS);
        }
        double produced = produce(bootstrap, topic, events);
        double consumed = consume(bootstrap, topic, partitions, events);

        Path model = dir.resolve("ranker.onnx");
        Files.write(model, OnnxMlpWriter.write(new int[] {4, 32, 16, 1}, null, 3));
        MillraceConfig config = MillraceConfig.load(Optional.empty(), Map.of(
                "millrace.lake.root", dir.resolve("lake").toString(),
                "millrace.kafka.bootstrap-servers", bootstrap,
                "millrace.stream.spark.topic", topic,
                "millrace.stream.spark.trigger", "0s",
                "millrace.stream.spark.max-offsets-per-trigger", maxOffsets,
                "millrace.stream.spark.idle-timeout", "3s",
                "millrace.stream.spark.scoring.model.location", model.toString(),
                "millrace.spark.master", System.getProperty("millrace.bench.master", "local[2]"),
                "millrace.spark.conf.\"spark.ui.enabled\"", "false"));
        SparkSession spark = SparkSessions.getOrCreate(config, "stream-spark-bench");
        long t0 = System.nanoTime();
        Map<String, Object> out = new SparkStreamJob(spark, config).run(new SparkStreamJob.Limits(0, true));
        double wallSeconds = (System.nanoTime() - t0) / 1e9;
        long sparkRate = ((Number) out.get("records_per_second")).longValue();
        Object warm = out.get("records_per_second_after_first_batch");
        System.out.println("written " + out.get("events_written") + ", rejected " + out.get("rejected_to_dlq")
                + " in " + out.get("micro_batches") + " micro-batches; wall " + Math.round(wallSeconds) + " s (incl. start and idle wait)");
        System.out.printf("stream-spark ratio=%.3f spark_records_per_s=%d spark_records_per_s_after_first_batch=%s "
                        + "kafka_consume_per_s=%d kafka_produce_per_s=%d events=%d partitions=%d max_offsets_per_trigger=%s%n",
                sparkRate / consumed, sparkRate, warm, Math.round(consumed), Math.round(produced), events, partitions, maxOffsets);
        spark.stop();
    }

    private static double produce(String bootstrap, String topic, int events) throws Exception {
        Random rnd = new Random(7);
        Instant t = Instant.parse("2026-11-30T00:00:00Z");
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "linger.ms", "5", "batch.size", "262144"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < events; i++) {
                String json = i % 100 == 99 ? "{\"event_id\":\"bad-" + i + "\", broken"
                        : "{\"event_id\":\"e-" + i + "\",\"user_id\":" + (1 + rnd.nextInt(5000)) + ",\"item_id\":"
                        + (1 + rnd.nextInt(3000)) + ",\"event_type\":\"view\",\"event_time\":\"" + t.plusMillis(i) + "\"}";
                p.send(new ProducerRecord<>(topic, json.getBytes(StandardCharsets.UTF_8)));
            }
            p.flush();
        }
        return events / ((System.nanoTime() - start) / 1e9);
    }

    private static double consume(String bootstrap, String topic, int partitions, int events) {
        List<TopicPartition> parts = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            parts.add(new TopicPartition(topic, i));
        }
        long start = System.nanoTime();
        long n = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "enable.auto.commit", "false", "max.poll.records", "5000"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (n < events && System.nanoTime() < deadline) {
                n += c.poll(Duration.ofMillis(500)).count();
            }
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }
}
