package dev.millrace.jobs.ingest;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.events.RatingRange;

import java.io.Serializable;
import java.time.Instant;

/** Value ranges ingest checks: allowed ratings (the event contract's {@link RatingRange}) and event times. */
public record ValidationRules(RatingRange ratings, Instant timeMin, Instant timeMax) implements Serializable {

    public static ValidationRules from(MillraceConfig config, Instant now) {
        return new ValidationRules(RatingRange.from(config),
                Instant.parse(config.getString("millrace.ingest.event-time.min")),
                now.plus(config.getDuration("millrace.ingest.event-time.max-future")));
    }

    public double ratingMin() {
        return ratings.min();
    }

    public double ratingMax() {
        return ratings.max();
    }
}
