package dev.millrace.jobs.stream;

import dev.millrace.core.events.DlqRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Events for the streaming tests: good ones with known ids and string keys (UUID users; items alternately a JSON
 * integer and a SKU string), malformed ones with the reason each must get.
 */
final class StreamTestData {

    static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    /**
     * A record to produce, with the DLQ reason it must end up with (null: a good event).
     *
     * @param keys a good event's {@code user_id/item_id} as bronze.events must hold them (null for bad records)
     */
    record Input(String value, String expectedReason, String eventId, String keys) {
        Input(String value, String expectedReason, String eventId) {
            this(value, expectedReason, eventId, null);
        }
    }

    /** The key of user {@code n}: a UUID, the same in every run. */
    static String user(int n) {
        return UUID.nameUUIDFromBytes(("millrace-user-" + n).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private StreamTestData() {
    }

    static Input good(int i) {
        String id = "e-" + i;
        String type = switch (i % 3) {
            case 0 -> "view";
            case 1 -> "click";
            default -> "rating";
        };
        String rating = type.equals("rating") ? ",\"rating\":" + (1 + i % 5) + ".0" : "";
        String user = user(1 + i % 17);
        // A JSON integer item id is its decimal text; the other half are SKUs with letters.
        String item = i % 2 == 0 ? Integer.toString(100 + i % 29) : "SKU-" + (100 + i % 29) + "-RED";
        String itemJson = i % 2 == 0 ? item : "\"" + item + "\"";
        String json = "{\"event_id\":\"" + id + "\",\"user_id\":\"" + user + "\",\"item_id\":" + itemJson
                + ",\"event_type\":\"" + type + "\"" + rating + ",\"event_time\":\"" + T0.plusSeconds(i) + "\"}";
        return new Input(json, null, id, user + "/" + item);
    }

    /** A malformed record; {@code kind} picks which rule it breaks. */
    static Input bad(int i) {
        String time = T0.plusSeconds(i).toString();
        return switch (i % 7) {
            case 0 -> new Input("{\"event_id\":\"b-" + i + "\", not json", "bad_json", null);
            case 1 -> new Input("{\"event_id\":\"b-" + i + "\",\"item_id\":5,\"event_type\":\"view\",\"event_time\":\"" + time + "\"}",
                    "missing_field", null);
            case 2 -> new Input("{\"event_id\":\"b-" + i + "\",\"user_id\":[\"u7\"],\"item_id\":5,\"event_type\":\"view\",\"event_time\":\"" + time + "\"}",
                    "bad_type", null);
            case 3 -> new Input("{\"event_id\":\"b-" + i + "\",\"user_id\":7,\"item_id\":5,\"event_type\":\"rating\",\"rating\":9.5,\"event_time\":\"" + time + "\"}",
                    "out_of_range", null);
            case 4 -> new Input("{\"event_id\":\"b-" + i + "\",\"user_id\":7,\"item_id\":5,\"event_type\":\"purchase\",\"event_time\":\"" + time + "\"}",
                    "unknown_event_type", null);
            case 5 -> new Input("{\"event_id\":\"b-" + i + "\",\"user_id\":\"u7\",\"item_id\":\"\",\"event_type\":\"view\",\"event_time\":\"" + time + "\"}",
                    "bad_key", null);
            default -> new Input("[1,2,3]", "bad_json", null);
        };
    }

    /** A valid event an hour older than everything else: late once a batch of the others is done. */
    static Input late(int i) {
        String json = "{\"event_id\":\"late-" + i + "\",\"user_id\":\"" + user(3) + "\",\"item_id\":4,\"event_type\":\"view\",\"event_time\":\""
                + T0.minusSeconds(3600 + i) + "\"}";
        return new Input(json, "late_event", null);
    }

    /**
     * A well-formed event from far ahead: T0 in microseconds sent as milliseconds. Had it been accepted, its time would
     * be the watermark of every later batch, and every good event after it would be late.
     */
    static Input future(int i) {
        String json = "{\"event_id\":\"future-" + i + "\",\"user_id\":\"" + user(2) + "\",\"item_id\":4,\"event_type\":\"click\",\"event_time\":"
                + (T0.toEpochMilli() + i) * 1000 + "}";
        return new Input(json, "future_event", null);
    }

    /** Produces the values round-robin over the topic's partitions, in order, and waits for every ack. */
    static void produce(String bootstrap, String topic, int partitions, List<Input> inputs) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "enable.idempotence", "true"), new ByteArraySerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                acks.add(p.send(new ProducerRecord<>(topic, i % partitions, null,
                        inputs.get(i).value().getBytes(StandardCharsets.UTF_8))));
            }
            for (java.util.concurrent.Future<?> f : acks) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Every committed record of {@code topic} (read_committed, from the start to the end offsets). */
    static List<DlqRecord> readDlq(String bootstrap, String topic) {
        List<DlqRecord> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "isolation.level", "read_committed", "enable.auto.commit", "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo pi : c.partitionsFor(topic, Duration.ofSeconds(60))) {
                parts.add(new TopicPartition(topic, pi.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(60));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (parts.stream().anyMatch(tp -> c.position(tp, Duration.ofSeconds(60)) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    out.add(DlqRecord.fromJson(new String(r.value(), StandardCharsets.UTF_8)));
                }
            }
        }
        return out;
    }
}
