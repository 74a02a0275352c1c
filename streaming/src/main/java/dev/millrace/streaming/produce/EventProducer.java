package dev.millrace.streaming.produce;

import dev.millrace.core.kafka.KafkaSettings;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Iterator;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/** Sends records to a topic at a steady rate (0 = as fast as the broker takes them) and counts what it sent. */
public final class EventProducer {

    /** What one run sent. */
    public record Result(long sent, long malformed, double seconds) {
        public double rate() {
            return seconds > 0 ? sent / seconds : 0;
        }
    }

    private final KafkaSettings kafka;

    public EventProducer(KafkaSettings kafka) {
        this.kafka = kafka;
    }

    public Result send(String topic, Iterator<EventGenerator.Record> records, double ratePerSecond, long maxRecords) {
        Properties p = kafka.toProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        long start = System.nanoTime();
        long sent = 0;
        long malformed = 0;
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            while (records.hasNext() && (maxRecords <= 0 || sent < maxRecords)) {
                if (failure.get() != null) {
                    throw new IllegalStateException("sending to " + topic + " failed", failure.get());
                }
                if (ratePerSecond > 0) {
                    long due = start + (long) (sent * 1e9 / ratePerSecond);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                EventGenerator.Record r = records.next();
                producer.send(new ProducerRecord<>(topic, r.key(), r.value()), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
                sent++;
                if (r.malformed()) {
                    malformed++;
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("sending to " + topic + " failed", failure.get());
        }
        return new Result(sent, malformed, (System.nanoTime() - start) / (double) TimeUnit.SECONDS.toNanos(1));
    }
}
