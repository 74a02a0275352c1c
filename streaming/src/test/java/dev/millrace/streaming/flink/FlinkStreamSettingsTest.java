package dev.millrace.streaming.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.events.RejectReason;
import dev.millrace.core.events.Rejection;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The job validates with conf's event contract: one rating range and one max-future for file ingest and streaming. */
class FlinkStreamSettingsTest {

    private static final String EVENT = "{\"event_id\":\"e-1\",\"user_id\":\"5f0c2a9e-3b1d-4c7a-9e2f-8d6b1a0c4e7f\","
            + "\"item_id\":\"B00X4WHP5E\",\"event_type\":\"rating\",\"rating\":4.5,\"event_time\":\"2026-11-30T10:00:00Z\"}";

    @Test
    void theValidatorTakesTheRatingRangeFromConf() {
        assertThat(FlinkStreamSettings.from(MillraceConfig.defaults()).validator().validate(EVENT).isValid()).isTrue();
        MillraceConfig narrow = MillraceConfig.defaults().with(Map.of("millrace.events.rating.max", 4.0));
        var result = FlinkStreamSettings.from(narrow).validator().validate(EVENT);
        assertThat(result).isInstanceOf(Rejection.class);
        assertThat(((Rejection) result).reason()).isEqualTo(RejectReason.OUT_OF_RANGE);
    }

    @Test
    void theValidatorTakesMaxFutureFromConf() {
        String inAMinute = EVENT.replace("2026-11-30T10:00:00Z", java.time.Instant.now().plusSeconds(60).toString());
        assertThat(FlinkStreamSettings.from(MillraceConfig.defaults()).validator().validate(inAMinute).isValid()).isTrue();
        MillraceConfig tight = MillraceConfig.defaults().with(Map.of("millrace.events.max-future", "0s"));
        var result = FlinkStreamSettings.from(tight).validator().validate(inAMinute);
        assertThat(((Rejection) result).reason()).isEqualTo(RejectReason.FUTURE_EVENT);
    }
}
