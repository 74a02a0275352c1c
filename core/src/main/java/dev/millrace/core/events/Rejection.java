package dev.millrace.core.events;

import java.util.Objects;

/**
 * A record that breaks the event contract: the machine-readable {@code reason} and a short human {@code detail}
 * (which field and why; never the whole record, which the DLQ keeps as {@code raw}).
 */
public record Rejection(RejectReason reason, String detail) implements ValidationResult {

    public Rejection {
        Objects.requireNonNull(reason, "reason");
        detail = detail == null ? "" : detail;
    }

    /** The rejection for an event later than the allowed lateness, as the streaming jobs report it. */
    public static Rejection late(long eventTimeMillis, long watermarkMillis, long allowedLatenessMillis) {
        return new Rejection(RejectReason.LATE_EVENT, "event_time " + eventTimeMillis + " ms is more than "
                + allowedLatenessMillis + " ms behind the watermark " + watermarkMillis + " ms");
    }
}
