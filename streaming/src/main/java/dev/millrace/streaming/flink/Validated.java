package dev.millrace.streaming.flink;

import dev.millrace.core.events.DlqRecord;
import dev.millrace.core.events.Event;
import dev.millrace.core.events.EventType;
import dev.millrace.core.events.Rejection;

import java.time.Instant;

/**
 * One Kafka record after validation, as it flows through the Flink job: a valid event's fields, or the rejection
 * with the raw text. A Flink POJO (public fields, no-arg constructor) so Flink serializes it without Kryo; the Kafka
 * coordinates travel along for the DLQ and for bronze.events.
 */
public class Validated {
    public boolean valid;
    public String eventId;
    /** The user's key (core's EntityKey: a string; numeric producers' ids arrive as their decimal text). */
    public String userId;
    public String itemId;
    public String eventType;
    public Double rating;
    public long eventTimeMillis;
    /** Reject reason code (null when valid). */
    public String reason;
    public String detail;
    /** The record value as received; dropped from valid events once the lateness check has passed them. */
    public String raw;
    public String topic;
    public int partition;
    public long offset;
    /** The Kafka record timestamp (producer's CreateTime): the start of the end-to-end latency. */
    public long kafkaTimestamp;
    /** When the record was validated (the DLQ's failed_at). */
    public long checkedAtMillis;

    public Validated() {
    }

    static Validated ofEvent(Event e, String raw, String topic, int partition, long offset, long kafkaTimestamp) {
        Validated v = new Validated();
        v.raw = raw;
        v.valid = true;
        v.eventId = e.eventId();
        v.userId = e.userId();
        v.itemId = e.itemId();
        v.eventType = e.eventType().code();
        v.rating = e.rating();
        v.eventTimeMillis = e.eventTimeMillis();
        v.topic = topic;
        v.partition = partition;
        v.offset = offset;
        v.kafkaTimestamp = kafkaTimestamp;
        return v;
    }

    static Validated ofRejection(Rejection r, String raw, String topic, int partition, long offset, long kafkaTimestamp,
                                 long checkedAtMillis) {
        Validated v = new Validated();
        v.valid = false;
        v.reason = r.reason().code();
        v.detail = r.detail();
        v.raw = raw;
        v.topic = topic;
        v.partition = partition;
        v.offset = offset;
        v.kafkaTimestamp = kafkaTimestamp;
        v.checkedAtMillis = checkedAtMillis;
        return v;
    }

    /** Turns a valid record into a rejection (late events), keeping its text for the DLQ. */
    Validated reject(Rejection r, long checkedAt) {
        return ofRejection(r, raw != null ? raw : event().toJson(), topic, partition, offset, kafkaTimestamp, checkedAt);
    }

    /** The event (valid records only). */
    public Event event() {
        return new Event(eventId, userId, itemId, EventType.fromCode(eventType).orElseThrow(), rating,
                Instant.ofEpochMilli(eventTimeMillis));
    }

    /** The DLQ record (rejected records only). */
    public DlqRecord dlqRecord() {
        return new DlqRecord(reason, detail, raw, topic, partition, offset, Instant.ofEpochMilli(checkedAtMillis));
    }
}
