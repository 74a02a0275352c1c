package dev.millrace.featurestore.publish;

import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which columns key an entity's online features (its own id, or one id per part of a composite entity) and which
 * column types can be a key.
 */
class PublishSourcesKeysTest {

    @Test
    void singleCompositeAndUnknownEntities() {
        assertThat(PublishSources.keyColumns("user", List.of("user_id", "feature_ts", "n"))).contains(List.of("user_id"));
        assertThat(PublishSources.keyColumns("user_item", List.of("user_id", "item_id", "feature_ts")))
                .contains(List.of("user_id", "item_id"));
        assertThat(PublishSources.keyColumns("user_item", List.of("user_id", "feature_ts"))).isEmpty();
        assertThat(PublishSources.keyColumns("session", List.of("user_id", "feature_ts"))).isEmpty();
    }

    @Test
    void keyColumnsAreStringsOrIntegersNothingElse() {
        assertThat(PublishSources.isKeyType(DataTypes.StringType)).isTrue();
        assertThat(PublishSources.isKeyType(DataTypes.LongType)).isTrue();
        assertThat(PublishSources.isKeyType(DataTypes.IntegerType)).isTrue();
        assertThat(PublishSources.isKeyType(DataTypes.DoubleType)).isFalse();
        assertThat(PublishSources.isKeyType(DataTypes.TimestampType)).isFalse();
        assertThat(PublishSources.isKeyType(DataTypes.createArrayType(DataTypes.StringType))).isFalse();
    }
}
