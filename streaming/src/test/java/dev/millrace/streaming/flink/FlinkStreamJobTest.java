package dev.millrace.streaming.flink;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.events.DlqRecord;
import dev.millrace.core.events.Event;
import dev.millrace.core.events.EventJson;
import dev.millrace.core.events.EventType;
import dev.millrace.core.kafka.KafkaSettings;
import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.PublishLease;
import dev.millrace.featurestore.online.RecommendationRecord;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.featurestore.online.VersionWriter;
import dev.millrace.streaming.delta.DeltaKernelSink;
import dev.millrace.streaming.delta.KernelEngines;
import dev.millrace.streaming.delta.KernelTableReader;
import dev.millrace.streaming.kafka.EmbeddedKafka;
import dev.millrace.streaming.produce.KeyStyle;
import dev.millrace.streaming.rerank.RerankFunction;
import dev.millrace.streaming.rerank.RerankSettings;
import dev.millrace.streaming.rerank.RerankSink;
import dev.millrace.udfs.onnx.OnnxMlpWriter;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Flink job end to end on a real in-process broker and a Flink MiniCluster: good and malformed events, a failure
 * injected mid-stream and a restore from the last checkpoint; afterwards bronze.events (read with Delta Kernel) holds
 * exactly the good events, the DLQ exactly the bad ones with their reasons, and the online store the window counts.
 * Far-future events in both partitions, before good events with normal times, are future_event rejects that move no
 * watermark: none of the later good events is late, and no window timer clears a user's features.
 */
class FlinkStreamJobTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private static final int USERS = 6;
    /** UUID-keyed users, as a real feed names them: the job keys state, windows and the store by these strings. */
    private static final List<String> USER_KEYS = IntStream.rangeClosed(1, USERS).mapToObj(KeyStyle.UUID::user).toList();

    @Test
    void exactlyOnceThroughAFailure(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            kafka.createTopic("events", 2);
            kafka.createTopic("events-dlq", 1);
            Path ranker = dir.resolve("ranker.onnx");
            Files.write(ranker, OnnxMlpWriter.write(new int[]{RANKER_WEIGHTS.length, 1},
                    new float[][]{RANKER_WEIGHTS, {0f}}, 0));
            MillraceConfig conf = MillraceConfig.defaults().with(Map.of(
                    "millrace.lake.root", dir.resolve("lake").toString(),
                    "millrace.stream.flink.checkpoint-interval", "400ms",
                    "millrace.stream.flink.restart-delay", "200ms",
                    "millrace.stream.flink.parallelism", 2,
                    "millrace.stream.flink.rerank.enabled", true,
                    "millrace.stream.flink.rerank.model.location", ranker.toString(),
                    "millrace.stream.flink.rerank.batch-size", 4));
            RerankSettings rerank = RerankSettings.from(conf);
            FlinkStreamSettings settings = FlinkStreamSettings.from(conf);
            KafkaSettings kafkaSettings = KafkaSettings.from(conf).withBootstrapServers(kafka.bootstrapServers());
            StoreSettings store = StoreSettings.builder(StoreSettings.Kind.EMBEDDED)
                    .embeddedPath(dir.resolve("store").toString()).mapSize(256L << 20).build();
            publishCandidates(store);

            List<Event> good = new ArrayList<>();
            Map<String, String> bad = new HashMap<>(); // raw -> expected reason
            try (KafkaProducer<String, String> producer = producer(kafka)) {
                produce(producer, 0, 120, good);
                produceBad(producer, "a", bad);
                producer.flush();

                FailOnce.ARMED.set(false);
                FailOnce.FAILURES.set(0);
                FlinkStreamJob job = new FlinkStreamJob(settings,
                        FlinkStreamJob.kafkaSource(settings, kafkaSettings, false),
                        FlinkStreamJob.dlqSink(settings, kafkaSettings),
                        new DeltaKernelSink(settings.bronzeTablePath(), settings.bronzeAppId()),
                        new FailOnce(new OnlineFeatureSink(store, settings.featureEntity(), settings.featureTtl(),
                                FeatureWriteListener.none())),
                        new RerankFunction(rerank, store), new RerankSink(store, rerank.entity(), settings.featureTtl()));
                StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                        FlinkStreamJob.flinkConfiguration(settings));
                env.setParallelism(settings.parallelism());
                job.build(env);
                JobClient client = env.executeAsync("millrace-stream-flink-test");
                KernelTableReader reader = new KernelTableReader(KernelEngines.create());
                try {
                    // A checkpoint has committed part of the first batch: now fail while the second is in flight.
                    await("first Delta commit", () -> reader.version(settings.bronzeTablePath()) >= 1);
                    FailOnce.ARMED.set(true);
                    produce(producer, 120, 240, good);
                    produceBad(producer, "b", bad);
                    producer.flush();

                    await("all good events in bronze.events",
                            () -> reader.read(settings.bronzeTablePath(), List.of("event_id")).size() >= good.size());
                    List<DlqRecord> dlq = new ArrayList<>();
                    try (KafkaConsumer<String, String> consumer = dlqConsumer(kafka)) {
                        await("all bad records in the DLQ", () -> {
                            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                                dlq.add(DlqRecord.fromJson(r.value()));
                            }
                            return dlq.size() >= bad.size();
                        });
                    }
                    Map<String, JsonNode> expected = expectedFeatures(good);
                    assertThat(expected.keySet()).containsExactlyInAnyOrderElementsOf(USER_KEYS);
                    try (OnlineStore online = OnlineStores.open(store)) {
                        Map<String, JsonNode> actual = new HashMap<>();
                        await("window features in the online store", () -> {
                            expected.keySet().forEach(u -> actual.put(u, features(online, settings, u)));
                            return expected.equals(actual);
                        }, () -> "expected " + expected + " got " + actual);
                        assertThat(actual).isEqualTo(expected);
                        // DJL re-ranking of the published candidates with the final features of each user.
                        Map<String, List<String>> expectedOrder = new HashMap<>();
                        expected.forEach((u, f) -> expectedOrder.put(u, expectedRerank(f)));
                        Map<String, List<String>> reranked = new HashMap<>();
                        await("re-ranked candidates in the online store", () -> {
                            expected.keySet().forEach(u -> reranked.put(u, rerankedItems(online, rerank, u)));
                            return expectedOrder.equals(reranked);
                        }, () -> "expected " + expectedOrder + " got " + reranked);
                    }
                    assertThat(client.getJobStatus().get(30, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
                    assertThat(FailOnce.FAILURES.get()).as("the injected failure happened").isEqualTo(1);

                    List<Object[]> rows = reader.read(settings.bronzeTablePath(), List.of("event_id", "user_id", "item_id"));
                    List<String> ids = rows.stream().map(r -> (String) r[0]).toList();
                    assertThat(ids).as("no duplicates").doesNotHaveDuplicates();
                    assertThat(new HashSet<>(ids)).isEqualTo(good.stream().map(Event::eventId).collect(Collectors.toSet()));
                    // The keys as they came, a JSON integer item id as its decimal text.
                    assertThat(rows.stream().collect(Collectors.toMap(r -> (String) r[0], r -> r[1] + "/" + r[2])))
                            .isEqualTo(good.stream().collect(Collectors.toMap(Event::eventId, e -> e.userId() + "/" + e.itemId())));

                    assertThat(dlq.stream().map(DlqRecord::raw).toList()).doesNotHaveDuplicates();
                    assertThat(dlq.stream().collect(Collectors.toMap(DlqRecord::raw, DlqRecord::reason))).isEqualTo(bad);
                    assertThat(dlq).allSatisfy(d -> {
                        assertThat(d.topic()).isEqualTo("events");
                        assertThat(d.offset()).isNotNegative();
                        assertThat(d.detail()).isNotBlank();
                    });
                } finally {
                    client.cancel().get(60, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** The linear ranker's weights over the re-rank inputs (conf order): recently touched candidates move up. */
    private static final float[] RANKER_WEIGHTS = {1.0f, -0.1f, 0.0f, 0.01f, 2.0f, -0.05f};
    private static final String[] CANDIDATES = {"101", "110", "120", "130", "140", "200"};
    private static final double[] CANDIDATE_SCORES = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4};

    /** Publishes a candidate list for every test user, as `bin/millrace publish` would. */
    private static void publishCandidates(StoreSettings store) {
        try (OnlineStore s = OnlineStores.open(store)) {
            PublishLease lease = s.beginPublish();
            try (VersionWriter w = s.openWriter(lease.version())) {
                for (String u : USER_KEYS) {
                    w.put(Keyspace.RECOMMENDATIONS, u, new RecommendationRecord("test-model", "run-1",
                            T0, CANDIDATES, CANDIDATE_SCORES).encode());
                }
            }
            s.flip(lease);
            lease.close();
        }
    }

    /** The candidates ordered by the linear ranker, computed here from the expected features. */
    private static List<String> expectedRerank(JsonNode features) {
        List<String> last = new ArrayList<>();
        features.get("last_items").forEach(n -> last.add(n.asText()));
        double[] score = new double[CANDIDATES.length];
        for (int c = 0; c < CANDIDATES.length; c++) {
            int pos = last.indexOf(CANDIDATES[c]);
            float[] x = {(float) CANDIDATE_SCORES[c], c, features.get("events_5m").asInt(), features.get("events_60m").asInt(),
                    pos >= 0 ? 1 : 0, pos};
            float s = 0;
            for (int j = 0; j < x.length; j++) {
                s += RANKER_WEIGHTS[j] * x[j];
            }
            score[c] = s;
        }
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < CANDIDATES.length; c++) {
            order.add(c);
        }
        order.sort((a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a]) : Integer.compare(a, b));
        return order.stream().map(c -> CANDIDATES[c]).toList();
    }

    private static List<String> rerankedItems(OnlineStore online, RerankSettings rerank, String user) {
        Optional<byte[]> v = online.getOverlay(Keyspace.features(rerank.entity()), user);
        if (v.isEmpty()) {
            return null;
        }
        try {
            List<String> items = new ArrayList<>();
            JsonNode n = EventJson.mapper().readTree(new String(v.get(), StandardCharsets.UTF_8));
            assertThat(n.get("user_id").asText()).isEqualTo(user);
            n.get("items").forEach(i -> {
                assertThat(i.isTextual()).as("item keys are JSON strings").isTrue();
                items.add(i.asText());
            });
            return items;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Good events: user USER_KEYS[i % USERS] at T0 + i x 20 s, item by a fixed rule (every fifth written as a JSON
     * integer, the rest as strings: both are the same key); partition = user index % 2.
     */
    private static void produce(KafkaProducer<String, String> p, int from, int to, List<Event> good) {
        for (int i = from; i < to; i++) {
            int user = i % USERS;
            EventType type = EventType.values()[i % 3];
            String item = Long.toString(100 + (i * 7) % 50);
            Event e = Event.of("e-" + i, USER_KEYS.get(user), item, type,
                    type == EventType.RATING ? 0.5 + (i % 10) / 2.0 : null, T0.plusSeconds(20L * i));
            good.add(e);
            String json = e.toJson();
            if (i % 5 == 0) {
                json = json.replace("\"item_id\":\"" + item + "\"", "\"item_id\":" + item);
                assertThat(json).contains("\"item_id\":" + item + ",");
            }
            p.send(new ProducerRecord<>("events", user % 2, e.userId(), json));
        }
    }

    /**
     * One record per reject reason, in both partitions; the late one is two hours behind its partition, and a
     * far-future one goes to each partition.
     */
    private static void produceBad(KafkaProducer<String, String> p, String tag, Map<String, String> bad) {
        String t = "\"event_time\":\"" + T0 + "\"";
        Map<String, String> records = new HashMap<>();
        records.put("{not json " + tag, "bad_json");
        records.put("{\"event_id\":\"m-" + tag + "\",\"item_id\":3,\"event_type\":\"view\"," + t + "}", "missing_field");
        records.put("{\"event_id\":\"t-" + tag + "\",\"user_id\":true,\"item_id\":3,\"event_type\":\"view\"," + t + "}", "bad_type");
        records.put("{\"event_id\":\"k-" + tag + "\",\"user_id\":\"u-1 \",\"item_id\":3,\"event_type\":\"view\"," + t + "}", "bad_key");
        records.put("{\"event_id\":\"r-" + tag + "\",\"user_id\":1,\"item_id\":3,\"event_type\":\"rating\",\"rating\":9," + t + "}", "out_of_range");
        records.put("{\"event_id\":\"u-" + tag + "\",\"user_id\":1,\"item_id\":3,\"event_type\":\"buy\"," + t + "}", "unknown_event_type");
        records.put(Event.of("late-" + tag, USER_KEYS.get(1), "3", EventType.CLICK, null, T0.minus(Duration.ofHours(2)))
                .toJson(), "late_event");
        int i = 0;
        for (Map.Entry<String, String> r : records.entrySet()) {
            // The late event goes where its user's events are (index 1: partition 1), after them; the rest alternate.
            int partition = r.getValue().equals("late_event") ? 1 : i++ % 2;
            p.send(new ProducerRecord<>("events", partition, "bad", r.getKey()));
        }
        bad.putAll(records);
        // T0 in microseconds sent as milliseconds, in each partition among its users' events: accepted, it would be
        // the partition's watermark and every later good event there would be late.
        for (int partition = 0; partition < 2; partition++) {
            String future = "{\"event_id\":\"f-" + tag + partition + "\",\"user_id\":\"" + USER_KEYS.get(partition)
                    + "\",\"item_id\":\"3\",\"event_type\":\"view\",\"event_time\":" + T0.toEpochMilli() * 1000 + "}";
            p.send(new ProducerRecord<>("events", partition, "bad", future));
            bad.put(future, "future_event");
        }
    }

    /** The expected features of each user, computed from the good events independently of the job's code. */
    private static Map<String, JsonNode> expectedFeatures(List<Event> good) {
        Map<String, List<Event>> byUser = good.stream().collect(Collectors.groupingBy(Event::userId));
        Map<String, JsonNode> out = new HashMap<>();
        byUser.forEach((user, events) -> {
            long latest = events.stream().mapToLong(Event::eventTimeMillis).max().orElseThrow();
            var n = EventJson.mapper().createObjectNode();
            n.put("user_id", user);
            n.put("events_5m", (int) events.stream().filter(e -> e.eventTimeMillis() > latest - 5 * 60_000L).count());
            n.put("events_60m", (int) events.stream().filter(e -> e.eventTimeMillis() > latest - 60 * 60_000L).count());
            var items = n.putArray("last_items");
            events.stream().sorted((a, b) -> Long.compare(b.eventTimeMillis(), a.eventTimeMillis())).limit(10)
                    .forEach(e -> items.add(e.itemId()));
            n.put("feature_ts", Instant.ofEpochMilli(latest).toString());
            try {
                out.put(user, EventJson.mapper().readTree(n.toString())); // the same number node types as parsed values
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return out;
    }

    /** The stored features of a user. */
    private static JsonNode features(OnlineStore online, FlinkStreamSettings s, String user) {
        Optional<byte[]> v = online.getOverlay(Keyspace.features(s.featureEntity()), user);
        if (v.isEmpty()) {
            return null;
        }
        try {
            return EventJson.mapper().readTree(new String(v.get(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        await(what, condition, () -> "");
    }

    private static void await(String what, BooleanSupplier condition, java.util.function.Supplier<String> state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 90 s waiting for " + what + " " + state.get());
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> dlqConsumer(EmbeddedKafka kafka) {
        KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer());
        c.assign(List.of(new TopicPartition("events-dlq", 0)));
        c.seekToBeginning(c.assignment());
        return c;
    }

    /** Wraps a sink so that its first write after {@link #ARMED} is set throws: the injected failure. */
    static final class FailOnce implements Sink<UserFeatures> {
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicInteger FAILURES = new AtomicInteger();
        private final Sink<UserFeatures> delegate;

        FailOnce(Sink<UserFeatures> delegate) {
            this.delegate = delegate;
        }

        @Override
        public SinkWriter<UserFeatures> createWriter(WriterInitContext context) throws IOException {
            SinkWriter<UserFeatures> w = delegate.createWriter(context);
            return new SinkWriter<>() {
                @Override
                public void write(UserFeatures f, Context c) throws IOException, InterruptedException {
                    if (ARMED.compareAndSet(true, false)) {
                        FAILURES.incrementAndGet();
                        throw new IllegalStateException("injected failure (test)");
                    }
                    w.write(f, c);
                }

                @Override
                public void flush(boolean endOfInput) throws IOException, InterruptedException {
                    w.flush(endOfInput);
                }

                @Override
                public void close() throws Exception {
                    w.close();
                }
            };
        }
    }
}
