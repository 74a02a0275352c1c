package dev.millrace.streaming.produce;

import dev.millrace.core.events.Event;
import dev.millrace.core.events.EventValidator;
import dev.millrace.core.events.RejectReason;
import dev.millrace.core.events.Rejection;
import dev.millrace.core.events.ValidationResult;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

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
                String user = ((ValidationResult.Valid) v).event().userId();
                assertThat(Long.parseLong(user)).isBetween(1L, 50L);
                assertThat(r.key()).isEqualTo(user);
            }
        }
        assertThat(malformed).isBetween(300, 500);
        assertThat(seen).containsExactlyInAnyOrder(RejectReason.BAD_JSON, RejectReason.MISSING_FIELD,
                RejectReason.BAD_TYPE, RejectReason.BAD_KEY, RejectReason.OUT_OF_RANGE, RejectReason.UNKNOWN_EVENT_TYPE,
                RejectReason.FUTURE_EVENT);
    }

    @Test
    void uuidKeysAreStableStringKeysOfUsersAndSkuLikeItems() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-30T10:00:00Z"), ZoneOffset.UTC);
        EventGenerator a = new EventGenerator(7, 50, 80, 0, clock, KeyStyle.UUID);
        EventGenerator b = new EventGenerator(7, 50, 80, 0, clock, KeyStyle.UUID);
        Set<String> users = new HashSet<>();
        Set<String> items = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            EventGenerator.Record r = a.next();
            assertThat(b.next()).as("the same seed gives the same records").isEqualTo(r);
            Event e = ((ValidationResult.Valid) EventValidator.DEFAULT.validate(r.value())).event();
            assertThat(UUID.fromString(e.userId()).toString()).isEqualTo(e.userId());
            assertThat(e.itemId()).matches("B0[0-9A-Z]{8}");
            assertThat(r.key()).isEqualTo(e.userId());
            users.add(e.userId());
            items.add(e.itemId());
        }
        assertThat(users).hasSize(50);
        assertThat(items).hasSizeBetween(60, 80);
        // Distinct indexes give distinct keys: the generator's user and item counts are what the lake sees.
        Set<String> skus = new HashSet<>();
        for (long i = 1; i <= 100_000; i++) {
            skus.add(KeyStyle.UUID.item(i));
        }
        assertThat(skus).hasSize(100_000);
        assertThat(KeyStyle.NUMERIC.user(42)).isEqualTo("42");
        assertThat(KeyStyle.parse("uuid")).isEqualTo(KeyStyle.UUID);
    }
}
