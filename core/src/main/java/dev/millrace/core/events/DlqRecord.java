package dev.millrace.core.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;

/**
 * One dead-letter record: {@code {"reason","detail","raw","topic","partition","offset","failed_at"}}. {@code raw} is
 * the record value as received (UTF-8 text), so a fixed producer can replay it; topic/partition/offset locate the
 * original (partition and offset are -1 when unknown); failed_at is the ISO-8601 instant of the rejection.
 */
public record DlqRecord(String reason, String detail, String raw, String topic, int partition, long offset,
                        Instant failedAt) implements Serializable {

    public static final String REASON = "reason";
    public static final String DETAIL = "detail";
    public static final String RAW = "raw";
    public static final String TOPIC = "topic";
    public static final String PARTITION = "partition";
    public static final String OFFSET = "offset";
    public static final String FAILED_AT = "failed_at";

    public DlqRecord {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(failedAt, "failedAt");
        detail = detail == null ? "" : detail;
    }

    /** The DLQ record for a rejection of the record at topic/partition/offset. */
    public static DlqRecord of(Rejection rejection, String raw, String topic, int partition, long offset, Instant failedAt) {
        return new DlqRecord(rejection.reason().code(), rejection.detail(), raw, topic, partition, offset, failedAt);
    }

    /** The reason as an enum (every record this code writes has a known reason). */
    public RejectReason rejectReason() {
        return RejectReason.fromCode(reason).orElseThrow(() -> new IllegalStateException("unknown DLQ reason " + reason));
    }

    /** The JSON text of this record. */
    public String toJson() {
        ObjectNode n = EventJson.MAPPER.createObjectNode();
        n.put(REASON, reason);
        n.put(DETAIL, detail);
        n.put(RAW, raw);
        n.put(TOPIC, topic);
        n.put(PARTITION, partition);
        n.put(OFFSET, offset);
        n.put(FAILED_AT, failedAt.toString());
        try {
            return EventJson.MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a DLQ record written by {@link #toJson()}. */
    public static DlqRecord fromJson(String json) {
        try {
            JsonNode n = EventJson.MAPPER.readTree(json);
            return new DlqRecord(n.path(REASON).asText(), n.path(DETAIL).asText(),
                    n.path(RAW).isNull() ? null : n.path(RAW).asText(null),
                    n.path(TOPIC).isNull() ? null : n.path(TOPIC).asText(null),
                    n.path(PARTITION).asInt(-1), n.path(OFFSET).asLong(-1),
                    Instant.parse(n.path(FAILED_AT).asText()));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a DLQ record: " + e.getOriginalMessage(), e);
        }
    }
}
