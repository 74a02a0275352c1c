package dev.millrace.core.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.millrace.core.config.MillraceConfig;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventValidatorTest {

    private final EventValidator validator = EventValidator.DEFAULT;

    @Test
    void acceptsTheDocumentedExample() {
        ValidationResult r = validator.validate(
                "{\"event_id\":\"e-1\",\"user_id\":42,\"item_id\":31,\"event_type\":\"rating\",\"rating\":4.5,"
                        + "\"event_time\":\"2026-11-30T10:15:30.123Z\"}");
        assertThat(r).isInstanceOf(ValidationResult.Valid.class);
        Event e = ((ValidationResult.Valid) r).event();
        assertThat(e).isEqualTo(new Event("e-1", "42", "31", EventType.RATING, 4.5, Instant.parse("2026-11-30T10:15:30.123Z")));
    }

    @Test
    void acceptsEpochMillisAndNoRatingForViews() {
        ValidationResult r = validator.validate(
                "{\"event_id\":\"e-2\",\"user_id\":1,\"item_id\":2,\"event_type\":\"view\",\"event_time\":1796033730123,\"extra\":true}");
        Event e = ((ValidationResult.Valid) r).event();
        assertThat(e.eventTimeMillis()).isEqualTo(1796033730123L);
        assertThat(e.rating()).isNull();
    }

    @Test
    void jsonRoundTrips() {
        Event e = Event.of("e-3", "7", "8", EventType.CLICK, null, Instant.parse("2026-11-30T10:00:00Z"));
        assertThat(((ValidationResult.Valid) validator.validate(e.toJson())).event()).isEqualTo(e);
        Event rated = Event.of("e-4", "u-7", "B00X4WHP5E", EventType.RATING, 0.5, Instant.parse("2026-11-30T10:00:00.001Z"));
        assertThat(((ValidationResult.Valid) validator.validate(rated.toJson())).event()).isEqualTo(rated);
    }

    @Test
    void eventOfRejectsBrokenValues() {
        assertThatThrownBy(() -> Event.of("e", "", "8", EventType.CLICK, null, Instant.EPOCH))
                .hasMessageStartingWith("bad_key");
        assertThatThrownBy(() -> Event.of("e", "7", "8", EventType.RATING, 9.0, Instant.EPOCH))
                .hasMessageStartingWith("out_of_range");
    }

    @Test
    void keysAreStringsAndJsonIntegersTheirDecimalText() {
        String uuid = "3f1c2a9e-7b41-4c0e-9a57-0d2f6b8e1c44";
        Event e = ((ValidationResult.Valid) validator.validate("{\"event_id\":\"e\",\"user_id\":\"" + uuid
                + "\",\"item_id\":356,\"event_type\":\"view\",\"event_time\":1}")).event();
        assertThat(e.userId()).isEqualTo(uuid);
        assertThat(e.itemId()).isEqualTo("356");
        assertThat(e.toJson()).contains("\"item_id\":\"356\"");
        assertThat(((ValidationResult.Valid) validator.validate(e.toJson())).event()).isEqualTo(e);
    }

    @Test
    void theRatingRangeComesFromConf() {
        EventValidator narrow = new EventValidator(new RatingRange(1, 3), Duration.ofDays(1));
        assertThat(narrow.validate("{\"event_id\":\"e\",\"user_id\":1,\"item_id\":2,\"event_type\":\"rating\","
                + "\"rating\":4,\"event_time\":1}")).isInstanceOf(Rejection.class);
        assertThat(RatingRange.DEFAULT).isEqualTo(new RatingRange(0.5, 5.0));
    }

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final EventValidator AT_NOON = new EventValidator(RatingRange.DEFAULT, Duration.ofHours(1),
            Clock.fixed(NOW, ZoneOffset.UTC));

    private static String viewAt(String eventTimeJson) {
        return "{\"event_id\":\"e\",\"user_id\":1,\"item_id\":2,\"event_type\":\"view\",\"event_time\":" + eventTimeJson + "}";
    }

    @Test
    void anEventLaterThanNowPlusMaxFutureIsAFutureEvent() {
        long limit = NOW.plus(Duration.ofHours(1)).toEpochMilli();
        assertThat(AT_NOON.validate(viewAt(Long.toString(limit))).isValid()).as("exactly at the bound").isTrue();
        assertThat(AT_NOON.validate(viewAt("\"" + NOW.plusSeconds(1800) + "\"")).isValid()).isTrue();
        Rejection r = (Rejection) AT_NOON.validate(viewAt(Long.toString(limit + 1)));
        assertThat(r.reason()).isEqualTo(RejectReason.FUTURE_EVENT);
        assertThat(r.reason().code()).isEqualTo("future_event");
        assertThat(r.detail()).contains("PT1H", "2026-11-30T13:00:00Z");
    }

    @Test
    void microsecondsSentAsMillisecondsAreAFutureEventInEveryTimeForm() {
        long micros = NOW.toEpochMilli() * 1000;
        for (String time : new String[]{Long.toString(micros), "\"" + micros + "\"", "\"+1000000000-12-31T23:59:59Z\""}) {
            ValidationResult r = AT_NOON.validate(viewAt(time));
            assertThat(r).as(time).isInstanceOf(Rejection.class);
            assertThat(((Rejection) r).reason()).as(time).isEqualTo(RejectReason.FUTURE_EVENT);
        }
    }

    @Test
    void theBoundMovesWithTheClock() {
        String event = viewAt("\"2026-11-30T14:00:00Z\"");
        assertThat(((Rejection) AT_NOON.validate(event)).reason()).isEqualTo(RejectReason.FUTURE_EVENT);
        EventValidator anHourLater = new EventValidator(RatingRange.DEFAULT, Duration.ofHours(1),
                Clock.fixed(NOW.plus(Duration.ofHours(1)), ZoneOffset.UTC));
        assertThat(anHourLater.validate(event).isValid()).isTrue();
    }

    @Test
    void earlierChecksWinOverTheFutureCheck() {
        long micros = NOW.toEpochMilli() * 1000;
        String unknownType = "{\"event_id\":\"e\",\"user_id\":1,\"item_id\":2,\"event_type\":\"buy\",\"event_time\":" + micros + "}";
        assertThat(((Rejection) AT_NOON.validate(unknownType)).reason()).isEqualTo(RejectReason.UNKNOWN_EVENT_TYPE);
    }

    @Test
    void maxFutureComesFromConf() {
        assertThat(EventValidator.maxFuture(MillraceConfig.defaults())).isEqualTo(Duration.ofDays(1));
        MillraceConfig tight = MillraceConfig.defaults().with(Map.of(EventValidator.MAX_FUTURE_PATH, "0s"));
        String inAMinute = viewAt(Long.toString(System.currentTimeMillis() + 60_000));
        assertThat(EventValidator.DEFAULT.validate(inAMinute).isValid()).isTrue();
        assertThat(((Rejection) EventValidator.from(tight).validate(inAMinute)).reason()).isEqualTo(RejectReason.FUTURE_EVENT);
        assertThatThrownBy(() -> new EventValidator(RatingRange.DEFAULT, Duration.ofSeconds(-1)))
                .hasMessageContaining(EventValidator.MAX_FUTURE_PATH);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not json                                                                                         | bad_json",
            "[1,2]                                                                                            | bad_json",
            "{\"event_id\":\"e\",\"user_id\":1,\"item_id\":2,\"event_type\":\"view\"                                | bad_json",
            "{\"user_id\":1,\"item_id\":2,\"event_type\":\"view\",\"event_time\":1}                                 | missing_field",
            "{\"event_id\":\"e\",\"user_id\":null,\"item_id\":2,\"event_type\":\"view\",\"event_time\":1}           | missing_field",
            "{\"event_id\":\"e\",\"user_id\":1,\"item_id\":2,\"event_type\":\"rating\",\"event_time\":1}            | missing_field",
            "{\"event_id\":\"\",\"user_id\":1,\"item_id\":2,\"event_type\":\"view\",\"event_time\":1}               | missing_field",
            "{\"event_id\":\"e\",\"user_id\":true,\"item_id\":2,\"event_type\":\"view\",\"event_time\":1}           | bad_type",
            "{\"event_id\":\"e\",\"user_id\":{\"id\":1},\"item_id\":2,\"event_type\":\"view\",\"event_time\":1}     | bad_type",
            "{\"event_id\":\"e\",\"user_id\":\"\",\"item_id\":2,\"event_type\":\"view\",\"event_time\":1}           | bad_key",
            "{\"event_id\":\"e\",\"user_id\":\" u1\",\"item_id\":2,\"event_type\":\"view\",\"event_time\":1}        | bad_key",
            "{\"event_id\":\"e\",\"user_id\":\"u\\u0001\",\"item_id\":2,\"event_type\":\"view\",\"event_time\":1}   | bad_key",
            "{\"event_id\":\"e\",\"user_id\":1.5,\"item_id\":2,\"event_type\":\"view\",\"event_time\":1}            | bad_type",
            "{\"event_id\":7,\"user_id\":1,\"item_id\":2,\"event_type\":\"view\",\"event_time\":1}                  | bad_type",
            "{\"event_id\":\"e\",\"user_id\":1,\"item_id\":2,\"event_type\":\"view\",\"event_time\":\"yesterday\"}  | bad_type",
            "{\"event_id\":\"e\",\"user_id\":1,\"item_id\":2,\"event_type\":\"rating\",\"rating\":\"4\",\"event_time\":1} | bad_type",
            "{\"event_id\":\"e\",\"user_id\":1,\"item_id\":2,\"event_type\":\"buy\",\"event_time\":1}               | unknown_event_type",
            "{\"event_id\":\"e\",\"user_id\":1,\"item_id\":2,\"event_type\":\"rating\",\"rating\":5.5,\"event_time\":1} | out_of_range",
            "{\"event_id\":\"e\",\"user_id\":1,\"item_id\":2,\"event_type\":\"rating\",\"rating\":0.4,\"event_time\":1} | out_of_range",
            "{\"event_id\":\"e\",\"user_id\":1,\"item_id\":2,\"event_type\":\"view\",\"rating\":3,\"event_time\":1}  | out_of_range",
            "{\"event_id\":\"e\",\"user_id\":1,\"item_id\":2,\"event_type\":\"view\",\"event_time\":-5}             | out_of_range",
    })
    void rejectsWithTheReason(String raw, String reason) {
        ValidationResult r = validator.validate(raw.trim());
        assertThat(r).isInstanceOf(Rejection.class);
        assertThat(((Rejection) r).reason().code()).isEqualTo(reason);
        assertThat(((Rejection) r).detail()).isNotBlank();
    }

    @Test
    void nullAndEmptyValuesAreBadJson() {
        assertThat(((Rejection) validator.validate((byte[]) null)).reason()).isEqualTo(RejectReason.BAD_JSON);
        assertThat(((Rejection) validator.validate("  ")).reason()).isEqualTo(RejectReason.BAD_JSON);
    }

    @Test
    void dlqRecordRoundTrips() {
        Rejection late = Rejection.late(1_000, 400_000, 60_000);
        DlqRecord d = DlqRecord.of(late, "{\"x\":1}", "events", 2, 17, Instant.parse("2026-11-30T11:00:00Z"));
        String json = d.toJson();
        assertThat(json).contains("\"reason\":\"late_event\"", "\"raw\":\"{\\\"x\\\":1}\"", "\"failed_at\":\"2026-11-30T11:00:00Z\"");
        assertThat(DlqRecord.fromJson(json)).isEqualTo(d);
        assertThat(DlqRecord.fromJson(json).rejectReason()).isEqualTo(RejectReason.LATE_EVENT);
    }
}
