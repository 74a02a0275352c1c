package dev.millrace.core.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.keys.EntityKey;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Checks raw event records against the contract of {@link Event} and says why a record is rejected. Checks run in a
 * fixed order (JSON, required fields, types, event type, ranges, then the upper bound on event time) so a record
 * always gets the same single reason. The upper bound is the clock's now plus {@code millrace.events.max-future}: an
 * event from far ahead (microseconds sent as milliseconds) is rejected as {@link RejectReason#FUTURE_EVENT} before any
 * watermark can see it. Stateless and serializable (with a serializable clock, as the JDK's are): one instance may be
 * shared by every task of a streaming job.
 */
public final class EventValidator implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The path of the upper bound on event time in conf: events later than now plus this are rejected. */
    public static final String MAX_FUTURE_PATH = "millrace.events.max-future";

    /** The validator of the shipped defaults (conf/application.conf, {@code millrace.events}), on the system clock. */
    public static final EventValidator DEFAULT = from(MillraceConfig.defaults());

    private static final String[] REQUIRED = {
            EventJson.EVENT_ID, EventJson.USER_ID, EventJson.ITEM_ID, EventJson.EVENT_TYPE, EventJson.EVENT_TIME};

    private final double minRating;
    private final double maxRating;
    private final Duration maxFuture;
    private final Clock clock;

    /** Checks event times against the system clock. */
    public EventValidator(RatingRange ratings, Duration maxFuture) {
        this(ratings, maxFuture, Clock.systemUTC());
    }

    /** Checks event times against {@code clock} (tests pass a fixed one). */
    public EventValidator(RatingRange ratings, Duration maxFuture, Clock clock) {
        if (maxFuture.isNegative()) {
            throw new IllegalArgumentException(MAX_FUTURE_PATH + " must not be negative, got " + maxFuture);
        }
        this.minRating = ratings.min();
        this.maxRating = ratings.max();
        this.maxFuture = maxFuture;
        this.clock = clock;
    }

    /** The validator of {@code config}'s event contract ({@code millrace.events}), on the system clock. */
    public static EventValidator from(MillraceConfig config) {
        return new EventValidator(RatingRange.from(config), maxFuture(config));
    }

    /** {@code millrace.events.max-future}: the one setting file ingest and both streaming jobs bound event time by. */
    public static Duration maxFuture(MillraceConfig config) {
        return config.getDuration(MAX_FUTURE_PATH);
    }

    /** Validates UTF-8 bytes (a Kafka record value); null counts as bad JSON. */
    public ValidationResult validate(byte[] raw) {
        if (raw == null) {
            return new Rejection(RejectReason.BAD_JSON, "null record value");
        }
        return validate(new String(raw, StandardCharsets.UTF_8));
    }

    /** Validates one JSON text. */
    public ValidationResult validate(String raw) {
        if (raw == null || raw.isBlank()) {
            return new Rejection(RejectReason.BAD_JSON, "empty record value");
        }
        JsonNode node;
        try {
            node = EventJson.MAPPER.readTree(raw);
        } catch (JsonProcessingException e) {
            return new Rejection(RejectReason.BAD_JSON, firstLine(e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            return new Rejection(RejectReason.BAD_JSON, "not a JSON object");
        }
        return validate(node);
    }

    /** Validates an already parsed JSON object. */
    public ValidationResult validate(JsonNode node) {
        for (String field : REQUIRED) {
            if (absent(node.get(field))) {
                return missing(field);
            }
        }
        JsonNode id = node.get(EventJson.EVENT_ID);
        if (!id.isTextual()) {
            return badType(EventJson.EVENT_ID, "a string", id);
        }
        if (id.asText().isBlank()) {
            return missing(EventJson.EVENT_ID);
        }
        JsonNode user = node.get(EventJson.USER_ID);
        JsonNode item = node.get(EventJson.ITEM_ID);
        for (String f : new String[]{EventJson.USER_ID, EventJson.ITEM_ID}) {
            if (!node.get(f).isTextual() && !node.get(f).isIntegralNumber()) {
                return badType(f, "a string or an integer", node.get(f));
            }
        }
        JsonNode type = node.get(EventJson.EVENT_TYPE);
        if (!type.isTextual()) {
            return badType(EventJson.EVENT_TYPE, "a string", type);
        }
        JsonNode rating = node.get(EventJson.RATING);
        if (!absent(rating) && !rating.isNumber()) {
            return badType(EventJson.RATING, "a number", rating);
        }
        JsonNode time = node.get(EventJson.EVENT_TIME);
        Instant eventTime;
        if (time.isTextual()) {
            Optional<Instant> parsed = parseInstant(time.asText());
            if (parsed.isEmpty()) {
                return badType(EventJson.EVENT_TIME, "an ISO-8601 instant or epoch milliseconds", time);
            }
            eventTime = parsed.get();
        } else if (time.isIntegralNumber()) {
            if (!time.canConvertToLong() || time.asLong() < 0) {
                return new Rejection(RejectReason.OUT_OF_RANGE, "event_time " + time + " is not a non-negative epoch millisecond");
            }
            eventTime = Instant.ofEpochMilli(time.asLong());
        } else {
            return badType(EventJson.EVENT_TIME, "an ISO-8601 instant or epoch milliseconds", time);
        }
        Optional<EventType> eventType = EventType.fromCode(type.asText());
        if (eventType.isEmpty()) {
            return new Rejection(RejectReason.UNKNOWN_EVENT_TYPE, "event_type " + abbreviate(type.toString())
                    + " is not view, click or rating");
        }
        if (eventType.get() == EventType.RATING && absent(rating)) {
            return missing(EventJson.RATING);
        }
        // A JSON integer is the key's decimal text, so numeric producers and string producers meet on one key.
        String userKey = user.asText();
        String itemKey = item.asText();
        Optional<String> badUser = EntityKey.problem(userKey);
        if (badUser.isPresent()) {
            return new Rejection(RejectReason.BAD_KEY, "user_id " + abbreviate(user.toString()) + " " + badUser.get());
        }
        Optional<String> badItem = EntityKey.problem(itemKey);
        if (badItem.isPresent()) {
            return new Rejection(RejectReason.BAD_KEY, "item_id " + abbreviate(item.toString()) + " " + badItem.get());
        }
        Double ratingValue = null;
        if (eventType.get() == EventType.RATING) {
            double r = rating.asDouble();
            if (!(r >= minRating && r <= maxRating)) {
                return new Rejection(RejectReason.OUT_OF_RANGE, "rating " + rating + " is outside [" + minRating + ", " + maxRating + "]");
            }
            ratingValue = r;
        } else if (!absent(rating)) {
            return new Rejection(RejectReason.OUT_OF_RANGE, "rating is only allowed when event_type is rating, not "
                    + eventType.get().code());
        }
        // Compared as instants: an ISO year far ahead has no epoch-millisecond value, and must be rejected, not thrown.
        Instant latest = clock.instant().plus(maxFuture);
        if (eventTime.isAfter(latest)) {
            return new Rejection(RejectReason.FUTURE_EVENT, "event_time " + eventTime + " is later than now + "
                    + maxFuture + " (" + latest + ")");
        }
        return new ValidationResult.Valid(new Event(id.asText(), userKey, itemKey, eventType.get(),
                ratingValue, eventTime));
    }

    /** Checks an event built in code; empty when it satisfies the contract. */
    public Optional<Rejection> check(Event e) {
        ValidationResult r = validate(EventJson.tree(e));
        return r instanceof Rejection rej ? Optional.of(rej) : Optional.empty();
    }

    /** Parses an ISO-8601 instant ({@code 2026-11-30T10:15:30.123Z}, or with an offset) or a string of epoch millis. */
    static Optional<Instant> parseInstant(String text) {
        String s = text.trim();
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() <= 18) {
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(s)));
        }
        try {
            return Optional.of(Instant.parse(s));
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(OffsetDateTime.parse(s).toInstant());
            } catch (DateTimeParseException e2) {
                return Optional.empty();
            }
        }
    }

    private static boolean absent(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode();
    }

    private static Rejection missing(String field) {
        return new Rejection(RejectReason.MISSING_FIELD, field + " is missing");
    }

    private static Rejection badType(String field, String expected, JsonNode actual) {
        return new Rejection(RejectReason.BAD_TYPE, field + " must be " + expected + ", got "
                + actual.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + abbreviate(actual.toString()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unparseable JSON";
        }
        int nl = s.indexOf('\n');
        return abbreviate(nl < 0 ? s : s.substring(0, nl));
    }
}
