package dev.millrace.jobs.stream;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.events.EventValidator;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-record decision of the Spark job (no Spark needed) and the watermark log it depends on. */
class EventDecoderTest {

    private static final Instant T = Instant.parse("2026-11-30T10:00:00Z");
    private static final String USER = "5f0c2a9e-3b1d-4c7a-9e2f-8d6b1a0c4e7f";

    private static Row kafka(String value, long offset) {
        return RowFactory.create(value == null ? null : value.getBytes(StandardCharsets.UTF_8), "events", 1, offset);
    }

    private static String event(String id, Instant time) {
        return "{\"event_id\":\"" + id + "\",\"user_id\":\"" + USER + "\",\"item_id\":31,\"event_type\":\"rating\",\"rating\":4.5,"
                + "\"event_time\":\"" + time + "\"}";
    }

    @Test
    void validEventsBecomeTypedRowsWithTheirKafkaCoordinates() {
        Row r = new EventDecoder(EventValidator.DEFAULT, OptionalLong.empty(), 60_000).decode(kafka(event("e-1", T), 7));
        assertThat(r.getString(0)).isEqualTo("e-1");
        assertThat(r.getString(1)).isEqualTo(USER);
        assertThat(r.getString(2)).as("a JSON integer id is its decimal text").isEqualTo("31");
        assertThat(r.getString(3)).isEqualTo("rating");
        assertThat(r.getDouble(4)).isEqualTo(4.5);
        assertThat(((Timestamp) r.get(5)).toInstant()).isEqualTo(T);
        assertThat(r.isNullAt(6)).as("no reason").isTrue();
        assertThat(r.getString(9)).isEqualTo("events");
        assertThat(r.getInt(10)).isEqualTo(1);
        assertThat(r.getLong(11)).isEqualTo(7);
    }

    @Test
    void rejectsCarryTheSharedReasonAndTheRawText() {
        EventDecoder d = new EventDecoder(EventValidator.DEFAULT, OptionalLong.empty(), 60_000);
        Row bad = d.decode(kafka("{\"event_id\":\"x\",", 3));
        assertThat(bad.getString(6)).isEqualTo("bad_json");
        assertThat(bad.getString(8)).isEqualTo("{\"event_id\":\"x\",");
        assertThat(bad.isNullAt(0)).isTrue();
        assertThat(d.decode(kafka(null, 4)).getString(6)).isEqualTo("bad_json");
        assertThat(d.decode(kafka(event("e-2", T).replace("4.5", "9.5"), 5)).getString(6)).isEqualTo("out_of_range");
        assertThat(d.decode(kafka(event("e-3", T).replace(USER, USER + " "), 6)).getString(6)).isEqualTo("bad_key");
    }

    @Test
    void theRatingRangeComesFromConf() {
        MillraceConfig narrow = MillraceConfig.defaults().with(Map.of("millrace.events.rating.max", 4.0));
        EventDecoder d = new EventDecoder(SparkStreamSettings.from(narrow).validator(), OptionalLong.empty(), 60_000);
        assertThat(d.decode(kafka(event("e-4", T), 1)).getString(6)).as("4.5 > 4.0").isEqualTo("out_of_range");
        EventDecoder defaults = new EventDecoder(SparkStreamSettings.from(MillraceConfig.defaults()).validator(),
                OptionalLong.empty(), 60_000);
        assertThat(defaults.decode(kafka(event("e-5", T), 2)).isNullAt(6)).isTrue();
    }

    @Test
    void farFutureEventsAreFutureEventsFromConfsMaxFutureAndNeverLate() {
        MillraceConfig tight = MillraceConfig.defaults().with(Map.of("millrace.events.max-future", "0s"));
        Instant inAMinute = Instant.now().plusSeconds(60);
        EventDecoder defaults = new EventDecoder(SparkStreamSettings.from(MillraceConfig.defaults()).validator(),
                OptionalLong.of(T.toEpochMilli()), 60_000);
        assertThat(defaults.decode(kafka(event("soon", inAMinute), 1)).isNullAt(6)).as("within the default 1d").isTrue();
        EventDecoder d = new EventDecoder(SparkStreamSettings.from(tight).validator(), OptionalLong.of(T.toEpochMilli()), 60_000);
        Row future = d.decode(kafka(event("soon", inAMinute), 2));
        assertThat(future.getString(6)).isEqualTo("future_event");
        assertThat(future.isNullAt(5)).as("no event time: it cannot enter the watermark log").isTrue();
        String micros = event("micros", T).replace("\"" + T + "\"", Long.toString(T.toEpochMilli() * 1000));
        assertThat(defaults.decode(kafka(micros, 3)).getString(6)).isEqualTo("future_event");
    }

    @Test
    void decodedEventColumnsAreTypedLikeBronzeEvents() {
        for (String name : java.util.List.of("event_id", "user_id", "item_id", "event_type", "rating", "event_time")) {
            assertThat(EventDecoder.SCHEMA.apply(name).dataType()).as(name)
                    .isEqualTo(BronzeEventsSink.SCHEMA.apply(name).dataType());
        }
        assertThat(BronzeEventsSink.SCHEMA.apply("user_id").dataType().typeName()).isEqualTo("string");
    }

    @Test
    void eventsOlderThanWatermarkMinusLatenessAreLate() {
        long watermark = T.toEpochMilli();
        EventDecoder d = new EventDecoder(EventValidator.DEFAULT, OptionalLong.of(watermark), 60_000);
        assertThat(d.decode(kafka(event("on-time", T.minusSeconds(60)), 1)).isNullAt(6)).as("exactly at the bound").isTrue();
        Row late = d.decode(kafka(event("late", T.minusSeconds(61)), 2));
        assertThat(late.getString(6)).isEqualTo("late_event");
        assertThat(late.getString(7)).contains("behind the watermark");
        assertThat(new EventDecoder(EventValidator.DEFAULT, OptionalLong.empty(), 60_000)
                .decode(kafka(event("first", T.minusSeconds(3600)), 3)).isNullAt(6)).as("no watermark yet").isTrue();
    }

    @Test
    void watermarkLogAnswersFromEarlierBatchesOnly(@TempDir Path dir) {
        WatermarkLog log = new WatermarkLog(dir.toUri().toString(), new Configuration());
        assertThat(log.before(0)).isEmpty();
        log.record(0, OptionalLong.empty());
        log.record(1, OptionalLong.of(1000));
        log.record(2, OptionalLong.of(5000));
        assertThat(log.before(1)).isEmpty();
        assertThat(log.before(2)).hasValue(1000);
        assertThat(log.before(3)).hasValue(5000);
        // a re-run of batch 2 sees what its first attempt saw
        log.record(2, OptionalLong.of(5000));
        assertThat(log.before(2)).hasValue(1000);
        assertThat(log.before(100)).hasValue(5000);
    }
}
