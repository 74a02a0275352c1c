package dev.millrace.core.events;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * One valid interaction event, as read from the events topic:
 * {@code {"event_id":"e-1","user_id":"u-42","item_id":"B00X4WHP5E","event_type":"rating","rating":4.5,"event_time":"2026-11-30T10:15:30.123Z"}}.
 * Build instances through {@link EventValidator} (or {@link #of}) so the invariants below always hold.
 *
 * @param eventId   producer-assigned id, non-blank (the key for de-duplication downstream)
 * @param userId    the user's key ({@link dev.millrace.core.keys.EntityKey}: a JSON integer arrives as its decimal text)
 * @param itemId    the item's key (same rule)
 * @param eventType kind of interaction
 * @param rating    the rating, within {@link RatingRange}, when {@code eventType} is {@link EventType#RATING}, otherwise null
 * @param eventTime when the interaction happened (event time, drives watermarks and windows)
 */
public record Event(String eventId, String userId, String itemId, EventType eventType, Double rating, Instant eventTime)
        implements Serializable {

    public Event {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(itemId, "itemId");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(eventTime, "eventTime");
    }

    /** A checked event: throws {@link IllegalArgumentException} with the rejection when the values break the contract. */
    public static Event of(String eventId, String userId, String itemId, EventType eventType, Double rating, Instant eventTime) {
        Event e = new Event(eventId, userId, itemId, eventType, rating, eventTime);
        EventValidator.DEFAULT.check(e).ifPresent(r -> {
            throw new IllegalArgumentException(r.reason().code() + ": " + r.detail());
        });
        return e;
    }

    /** Event time as epoch milliseconds. */
    public long eventTimeMillis() {
        return eventTime.toEpochMilli();
    }

    /** The contract's JSON form (event_time as an ISO-8601 instant). */
    public String toJson() {
        return EventJson.write(this);
    }
}
