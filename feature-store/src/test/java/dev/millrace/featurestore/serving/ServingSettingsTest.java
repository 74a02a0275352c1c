package dev.millrace.featurestore.serving;

import dev.millrace.core.config.MillraceConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The serving settings read from conf/application.conf: every key exists, the batch bounds are the documented ones. */
class ServingSettingsTest {

    @Test
    void theDefaultsInConfAreTheDocumentedOnes() {
        ServingSettings s = ServingSettings.from(MillraceConfig.defaults());
        assertThat(s.batch()).isEqualTo(new BatchLimits(256, 128 * 1024));
        assertThat(s.maxBodyBytes()).isZero();
        assertThat(s.defaultK()).isEqualTo(10);
        assertThat(s.maxK()).isEqualTo(100);
        assertThat(s.toString()).contains("batch 256 ids/131072 bytes");
        // The batch bound outlives the copies made for a port change.
        assertThat(s.withPort(0).withMetricsPort(0).batch()).isEqualTo(s.batch());
    }

    @Test
    void batchBoundsAreOverridableAndChecked() {
        MillraceConfig conf = MillraceConfig.defaults().with(Map.of("millrace.serving.batch.max-ids", 3,
                "millrace.serving.batch.max-body-size", "1m"));
        assertThat(ServingSettings.from(conf).batch()).isEqualTo(new BatchLimits(3, 1 << 20));
        assertThatThrownBy(() -> ServingSettings.from(MillraceConfig.defaults().with(Map.of("millrace.serving.batch.max-ids", 0))))
                .hasMessageContaining("millrace.serving.batch.max-ids");
        assertThatThrownBy(() -> ServingSettings.from(MillraceConfig.defaults().with(Map.of("millrace.serving.batch.max-body-size", 10))))
                .hasMessageContaining("millrace.serving.batch.max-body-size");
    }
}
