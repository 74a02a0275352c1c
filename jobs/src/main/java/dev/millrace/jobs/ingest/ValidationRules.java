package dev.millrace.jobs.ingest;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.events.EventValidator;
import dev.millrace.core.events.RatingRange;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * Value ranges ingest checks: allowed ratings and the latest event time (the event contract's {@link RatingRange} and
 * {@code millrace.events.max-future}, which the streaming jobs check too) and ingest's earliest event time.
 */
public record ValidationRules(RatingRange ratings, Instant timeMin, Instant timeMax, Duration maxFuture)
        implements Serializable {

    /** Where max-future was before the streaming jobs shared it; a conf that still sets it fails instead of being ignored. */
    static final String OLD_MAX_FUTURE = "millrace.ingest.event-time.max-future";

    public static ValidationRules from(MillraceConfig config, Instant now) {
        if (config.hasPath(OLD_MAX_FUTURE)) {
            throw new IllegalArgumentException(OLD_MAX_FUTURE + " moved to " + EventValidator.MAX_FUTURE_PATH
                    + " (file ingest and both streaming jobs read it)");
        }
        return new ValidationRules(RatingRange.from(config),
                Instant.parse(config.getString("millrace.ingest.event-time.min")),
                now.plus(EventValidator.maxFuture(config)), EventValidator.maxFuture(config));
    }

    public double ratingMin() {
        return ratings.min();
    }

    public double ratingMax() {
        return ratings.max();
    }
}
