package dev.millrace.streaming.produce;

import dev.millrace.core.events.Event;
import dev.millrace.core.events.EventType;

import java.time.Clock;
import java.util.SplittableRandom;

/**
 * Synthetic interaction events in the contract's JSON (seeded, so two runs send the same users and items), with a
 * chosen fraction of malformed records that cover every validator reason but lateness. Keys follow a
 * {@link KeyStyle} (decimal ids, or UUID users and SKU items) and are written as JSON strings. Event times are the
 * clock's now, so a live job sees them on time.
 */
public final class EventGenerator {

    /** One record to send: the key (user id, which keeps a user's events in one partition) and the value text. */
    public record Record(String key, String value, boolean malformed) {
    }

    private static final String[] MALFORMED = {
            "{\"event_id\":\"bad-%d\",\"user_id\":1,\"item_id\":2,\"event_type\":\"view\"",
            "{\"event_id\":\"bad-%d\",\"item_id\":2,\"event_type\":\"view\",\"event_time\":1}",
            "{\"event_id\":\"bad-%d\",\"user_id\":1.5,\"item_id\":2,\"event_type\":\"view\",\"event_time\":1}",
            "{\"event_id\":\"bad-%d\",\"user_id\":\" u-1\",\"item_id\":2,\"event_type\":\"view\",\"event_time\":1}",
            "{\"event_id\":\"bad-%d\",\"user_id\":1,\"item_id\":2,\"event_type\":\"rating\",\"rating\":7,\"event_time\":1}",
            "{\"event_id\":\"bad-%d\",\"user_id\":1,\"item_id\":2,\"event_type\":\"purchase\",\"event_time\":1}",
            // 2026-11-30 in microseconds sent as milliseconds: some 57,000 years ahead.
            "{\"event_id\":\"bad-%d\",\"user_id\":1,\"item_id\":2,\"event_type\":\"view\",\"event_time\":1795996800000000}",
    };

    private final SplittableRandom random;
    private final int users;
    private final int items;
    private final double malformedFraction;
    private final Clock clock;
    private final String idPrefix;
    private final KeyStyle keys;
    private long sequence;

    /** With numeric keys (the decimal text of 1..users and 1..items). */
    public EventGenerator(long seed, int users, int items, double malformedFraction, Clock clock) {
        this(seed, users, items, malformedFraction, clock, KeyStyle.NUMERIC);
    }

    public EventGenerator(long seed, int users, int items, double malformedFraction, Clock clock, KeyStyle keys) {
        if (users < 1 || items < 1) {
            throw new IllegalArgumentException("users and items must be positive");
        }
        if (malformedFraction < 0 || malformedFraction > 1) {
            throw new IllegalArgumentException("--malformed must be a fraction in [0, 1], got " + malformedFraction);
        }
        this.random = new SplittableRandom(seed);
        this.users = users;
        this.items = items;
        this.malformedFraction = malformedFraction;
        this.clock = clock;
        this.idPrefix = "g" + Long.toString(clock.millis(), 36) + "-";
        this.keys = keys;
    }

    public Record next() {
        long n = sequence++;
        long user = 1 + random.nextInt(users);
        if (malformedFraction > 0 && random.nextDouble() < malformedFraction) {
            return new Record(keys.user(user), String.format(MALFORMED[(int) (n % MALFORMED.length)], n), true);
        }
        // Popular items are more likely: a skew like real catalogues.
        long item = 1 + (long) (items * Math.pow(random.nextDouble(), 2));
        double kind = random.nextDouble();
        EventType type = kind < 0.7 ? EventType.VIEW : kind < 0.9 ? EventType.CLICK : EventType.RATING;
        Double rating = type == EventType.RATING ? 0.5 * (1 + random.nextInt(10)) : null;
        Event e = new Event(idPrefix + n, keys.user(user), keys.item(item), type, rating, clock.instant());
        return new Record(e.userId(), e.toJson(), false);
    }
}
