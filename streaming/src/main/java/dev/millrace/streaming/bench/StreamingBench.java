package dev.millrace.streaming.bench;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.kafka.KafkaSettings;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.streaming.flink.FeatureWriteListener;
import dev.millrace.streaming.flink.FlinkStreamJob;
import dev.millrace.streaming.flink.FlinkStreamSettings;
import dev.millrace.streaming.kafka.EmbeddedKafka;
import dev.millrace.streaming.produce.EventGenerator;
import dev.millrace.streaming.produce.EventProducer;
import dev.millrace.streaming.rerank.RerankSettings;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The streaming benchmark (bench/run streaming): on one in-process broker, (1) the broker's own produce-consume rate
 * with plain clients (the baseline), (2) the Flink job's sustained events/s on a backlog (first to last online-store
 * write), (3) end-to-end latency p50/p99 at a paced rate, from the producer's record timestamp to the moment the
 * user's features are written (visible) in the online store. Last line: {@code streaming ratio=<job/broker> ...}.
 */
public final class StreamingBench {

    /** Online-store writes seen by the running job (same JVM: the MiniCluster). */
    static final class Recorder {
        static final AtomicLong WRITES = new AtomicLong();
        static final AtomicLong FIRST = new AtomicLong(Long.MAX_VALUE);
        static final AtomicLong LAST = new AtomicLong();
        static volatile long[] latencies = new long[0];
        static final AtomicLong LATENCY_COUNT = new AtomicLong();
        static volatile boolean recordLatency;

        static void reset(int capacity) {
            WRITES.set(0);
            FIRST.set(Long.MAX_VALUE);
            LAST.set(0);
            latencies = new long[capacity];
            LATENCY_COUNT.set(0);
        }

        static void written(String userId, long sourceTs, long visibleAt) {
            WRITES.incrementAndGet();
            FIRST.accumulateAndGet(visibleAt, Math::min);
            LAST.accumulateAndGet(visibleAt, Math::max);
            if (recordLatency) {
                long i = LATENCY_COUNT.getAndIncrement();
                long[] l = latencies;
                if (i < l.length) {
                    l[(int) i] = visibleAt - sourceTs;
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int backlog = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Path dir = Files.createTempDirectory("millrace-bench-streaming");
        String result;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            kafka.createTopic("bench-baseline", 2);
            kafka.createTopic("events", 2);
            kafka.createTopic("events-dlq", 1);
            kafka.createTopic("events-live", 2);
            MillraceConfig conf = MillraceConfig.defaults().with(Map.of(
                    "millrace.lake.root", dir.resolve("lake").toString(),
                    "millrace.stream.flink.parallelism", 2,
                    "millrace.stream.flink.checkpoint-interval", "2s"));
            KafkaSettings ks = KafkaSettings.from(conf).withBootstrapServers(kafka.bootstrapServers());
            StoreSettings store = StoreSettings.builder(StoreSettings.Kind.EMBEDDED)
                    .embeddedPath(dir.resolve("store").toString()).mapSize(2L << 30).build();

            double brokerRate = brokerProduceConsume(ks, "bench-baseline", backlog);
            System.out.printf("broker produce-consume (plain clients): %,d records in one pass, %.0f records/s%n", backlog, brokerRate);

            // (2) sustained throughput on a backlog of generated events (1% malformed)
            new EventProducer(ks).send("events", limited(new EventGenerator(7, 10_000, 5_000, 0.01, Clock.systemUTC()), backlog), 0, backlog);
            FlinkStreamSettings s = FlinkStreamSettings.from(conf);
            Recorder.reset(0);
            long t0 = System.nanoTime();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(FlinkStreamJob.flinkConfiguration(s));
            env.setParallelism(s.parallelism());
            FlinkStreamJob.kafka(s, ks, store, true, Recorder::written, RerankSettings.from(conf)).build(env);
            env.execute("bench-throughput");
            double wall = (System.nanoTime() - t0) / 1e9;
            long writes = Recorder.WRITES.get();
            double active = (Recorder.LAST.get() - Recorder.FIRST.get()) / 1000.0;
            double jobRate = active > 0 ? writes / active : 0;
            System.out.printf("flink job on a backlog: %,d valid events through to the online store in %.1f s of processing "
                    + "(%.1f s with start-up and the final commit): %.0f events/s%n", writes, active, wall, jobRate);

            // (3) latency at a paced rate, job already running
            FlinkStreamSettings live = FlinkStreamSettings.from(conf.with(Map.of(
                    "millrace.stream.flink.topic", "events-live",
                    "millrace.stream.flink.consumer-group", "bench-live",
                    "millrace.stream.flink.starting-offsets", "latest",
                    "millrace.stream.flink.bronze.app-id", "bench-live",
                    "millrace.stream.flink.checkpoint-dir", dir.resolve("chk-live").toString())));
            Recorder.reset(rate * seconds + 1000);
            StreamExecutionEnvironment env2 = StreamExecutionEnvironment.getExecutionEnvironment(FlinkStreamJob.flinkConfiguration(live));
            env2.setParallelism(live.parallelism());
            FlinkStreamJob.kafka(live, ks, store, false, Recorder::written, RerankSettings.from(conf)).build(env2);
            JobClient client = env2.executeAsync("bench-latency");
            // Warm-up: the job is reading once a paced record comes through.
            EventGenerator gen = new EventGenerator(11, 10_000, 5_000, 0, Clock.systemUTC());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Recorder.WRITES.get() == 0 && System.nanoTime() < deadline) {
                new EventProducer(ks).send("events-live", limited(gen, 10), 0, 10);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
            long before = Recorder.WRITES.get();
            new EventProducer(ks).send("events-live", limited(gen, rate * 3), rate, rate * 3L); // JIT warm-up
            long warmDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Recorder.WRITES.get() - before < rate * 3L && System.nanoTime() < warmDeadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            Recorder.reset(rate * seconds + 1000);
            Recorder.recordLatency = true;
            EventProducer.Result sent = new EventProducer(ks).send("events-live", limited(gen, rate * seconds), rate, (long) rate * seconds);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Recorder.LATENCY_COUNT.get() < sent.sent() && System.nanoTime() < until) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            Recorder.recordLatency = false;
            client.cancel().get(60, TimeUnit.SECONDS);
            int n = (int) Math.min(Recorder.LATENCY_COUNT.get(), Recorder.latencies.length);
            long[] l = Arrays.copyOf(Recorder.latencies, n);
            Arrays.sort(l);
            long p50 = n == 0 ? -1 : l[(int) (n * 0.50)];
            long p99 = n == 0 ? -1 : l[Math.min(n - 1, (int) (n * 0.99))];
            System.out.printf("end-to-end latency at %d events/s for %d s (%d of %d seen): p50 %d ms, p99 %d ms%n",
                    rate, seconds, n, sent.sent(), p50, p99);
            result = String.format(java.util.Locale.ROOT, "streaming ratio=%.3f events_per_s=%.0f "
                            + "broker_produce_consume_per_s=%.0f p50_ms=%d p99_ms=%d paced_rate=%d backlog=%d",
                    jobRate / brokerRate, jobRate, brokerRate, p50, p99, rate, backlog);
        }
        // After the broker has stopped (and logged it): bench/run's contract is that the result is the last line.
        System.out.println(result);
        System.exit(0);
    }

    /** Produces {@code n} records and consumes them at the same time with plain clients: records/s end to end. */
    static double brokerProduceConsume(KafkaSettings ks, String topic, int n) throws Exception {
        EventGenerator gen = new EventGenerator(3, 10_000, 5_000, 0, Clock.systemUTC());
        Properties c = ks.toProperties();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-baseline");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long start = System.nanoTime();
        CompletableFuture<EventProducer.Result> produced = CompletableFuture.supplyAsync(
                () -> new EventProducer(ks).send(topic, limited(gen, n), 0, n));
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (seen < n && System.nanoTime() < deadline) {
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        produced.get();
        return seen / ((System.nanoTime() - start) / 1e9);
    }

    static Iterator<EventGenerator.Record> limited(EventGenerator gen, long n) {
        return new Iterator<>() {
            long left = n;

            @Override
            public boolean hasNext() {
                return left > 0;
            }

            @Override
            public EventGenerator.Record next() {
                left--;
                return gen.next();
            }
        };
    }
}
