package dev.millrace.featurestore.publish;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which columns key an entity's online features: its own id, or one id per part of a composite entity. */
class PublishSourcesKeysTest {

    @Test
    void singleCompositeAndUnknownEntities() {
        assertThat(PublishSources.keyColumns("user", List.of("user_id", "feature_ts", "n"))).contains(List.of("user_id"));
        assertThat(PublishSources.keyColumns("user_item", List.of("user_id", "item_id", "feature_ts")))
                .contains(List.of("user_id", "item_id"));
        assertThat(PublishSources.keyColumns("user_item", List.of("user_id", "feature_ts"))).isEmpty();
        assertThat(PublishSources.keyColumns("session", List.of("user_id", "feature_ts"))).isEmpty();
    }
}
