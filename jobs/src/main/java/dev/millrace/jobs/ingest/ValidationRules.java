package dev.millrace.jobs.ingest;

import dev.millrace.core.config.MillraceConfig;

import java.io.Serializable;
import java.time.Instant;

/** Value ranges from {@code millrace.ingest}: allowed ratings and event times. */
public record ValidationRules(double ratingMin, double ratingMax, Instant timeMin, Instant timeMax)
        implements Serializable {

    public static ValidationRules from(MillraceConfig config, Instant now) {
        return new ValidationRules(
                config.getDouble("millrace.ingest.rating.min"),
                config.getDouble("millrace.ingest.rating.max"),
                Instant.parse(config.getString("millrace.ingest.event-time.min")),
                now.plus(config.getDuration("millrace.ingest.event-time.max-future")));
    }
}
