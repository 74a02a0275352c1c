package dev.millrace.streaming.produce;

import dev.millrace.core.events.EventValidator;
import dev.millrace.core.events.RejectReason;
import dev.millrace.core.events.Rejection;
import dev.millrace.core.events.ValidationResult;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EventGeneratorTest {

    @Test
    void malformedRecordsAreExactlyTheRejectedOnesAndCoverTheValidatorReasons() {
        EventGenerator gen = new EventGenerator(7, 50, 80, 0.2, Clock.fixed(Instant.parse("2026-11-30T10:00:00Z"), ZoneOffset.UTC));
        Set<RejectReason> seen = EnumSet.noneOf(RejectReason.class);
        int malformed = 0;
        for (int i = 0; i < 2_000; i++) {
            EventGenerator.Record r = gen.next();
            ValidationResult v = EventValidator.DEFAULT.validate(r.value());
            assertThat(v.isValid()).as(r.value()).isEqualTo(!r.malformed());
            if (v instanceof Rejection rej) {
                seen.add(rej.reason());
                malformed++;
            } else {
                long user = ((ValidationResult.Valid) v).event().userId();
                assertThat(user).isBetween(1L, 50L);
                assertThat(r.key()).isEqualTo(Long.toString(user));
            }
        }
        assertThat(malformed).isBetween(300, 500);
        assertThat(seen).containsExactlyInAnyOrder(RejectReason.BAD_JSON, RejectReason.MISSING_FIELD,
                RejectReason.BAD_TYPE, RejectReason.OUT_OF_RANGE, RejectReason.UNKNOWN_EVENT_TYPE);
    }
}
