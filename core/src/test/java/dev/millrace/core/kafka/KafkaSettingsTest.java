package dev.millrace.core.kafka;

import dev.millrace.core.config.MillraceConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** millrace.kafka as the Spark job reads it: passthrough client properties, without secrets in messages. */
class KafkaSettingsTest {

    @Test
    void passesSecurityPropertiesToTheSourceAndTheProducerButNotConsumerManagement() {
        MillraceConfig c = MillraceConfig.defaults().with(Map.of(
                "millrace.kafka.bootstrap-servers", "b1:9093,b2:9093",
                "millrace.kafka.kafka.\"security.protocol\"", "SASL_SSL",
                "millrace.kafka.kafka.\"sasl.jaas.config\"", "secret-jaas",
                "millrace.kafka.kafka.\"auto.offset.reset\"", "earliest"));
        KafkaSettings k = KafkaSettings.from(c);
        assertThat(k.sparkSourceOptions()).containsEntry("kafka.bootstrap.servers", "b1:9093,b2:9093")
                .containsEntry("kafka.security.protocol", "SASL_SSL")
                .containsEntry("kafka.sasl.jaas.config", "secret-jaas")
                .doesNotContainKey("kafka.auto.offset.reset");
        assertThat(k.clientConfig()).containsEntry("bootstrap.servers", "b1:9093,b2:9093")
                .containsEntry("security.protocol", "SASL_SSL");
        assertThat(k.toString()).contains("sasl.jaas.config").doesNotContain("secret-jaas");
    }

    @Test
    void emptyBootstrapServersAreAClearError() {
        assertThatThrownBy(() -> new KafkaSettings(" ", Map.of()))
                .hasMessageContaining("millrace.kafka.bootstrap-servers");
    }
}
