package dev.millrace.jobs.ingest;

import dev.millrace.core.config.MillraceConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ingest bounds event time by the event contract's max-future, the setting the streaming jobs read. */
class ValidationRulesTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void theLatestEventTimeIsNowPlusTheSharedMaxFuture() {
        assertThat(ValidationRules.from(MillraceConfig.defaults(), NOW).timeMax()).isEqualTo(NOW.plus(Duration.ofDays(1)));
        MillraceConfig tight = MillraceConfig.defaults().with(Map.of("millrace.events.max-future", "2h"));
        assertThat(ValidationRules.from(tight, NOW).timeMax()).isEqualTo(NOW.plus(Duration.ofHours(2)));
    }

    @Test
    void theOldIngestKeyFailsInsteadOfBeingIgnored() {
        MillraceConfig old = MillraceConfig.defaults().with(Map.of(ValidationRules.OLD_MAX_FUTURE, "2h"));
        assertThatThrownBy(() -> ValidationRules.from(old, NOW)).hasMessageContaining("millrace.events.max-future");
    }
}
