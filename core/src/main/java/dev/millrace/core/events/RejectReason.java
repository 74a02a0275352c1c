package dev.millrace.core.events;

import java.util.Locale;
import java.util.Optional;

/**
 * Why a record went to the dead-letter queue. The lower-case {@link #code()} is what DLQ records and metrics carry;
 * {@link #LATE_EVENT} is decided by the streaming jobs against their watermark, not by {@link EventValidator}.
 */
public enum RejectReason {
    /** Not parseable as JSON, or not a JSON object. */
    BAD_JSON,
    /** A required field is absent or null (rating is required when event_type is rating). */
    MISSING_FIELD,
    /** A field has the wrong JSON type (e.g. a fractional id, an object as id, an unparseable timestamp). */
    BAD_TYPE,
    /** user_id or item_id breaks the key rule of {@link dev.millrace.core.keys.EntityKey} (empty, too long, ...). */
    BAD_KEY,
    /** A value is outside its domain (rating outside its {@link RatingRange}, rating on a non-rating event). */
    OUT_OF_RANGE,
    /** event_type is a string but not view, click or rating. */
    UNKNOWN_EVENT_TYPE,
    /**
     * event_time is later than the wall clock at validation plus {@code millrace.events.max-future} (a producer's
     * broken clock, microseconds sent as milliseconds): such an event would move a watermark far ahead.
     */
    FUTURE_EVENT,
    /** The event is older than the job's watermark minus its allowed lateness. */
    LATE_EVENT;

    /** The reason as written in DLQ records ({@code bad_json}, {@code late_event}, ...). */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The reason spelled {@code code}, or empty. */
    public static Optional<RejectReason> fromCode(String code) {
        for (RejectReason r : values()) {
            if (r.code().equals(code)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
