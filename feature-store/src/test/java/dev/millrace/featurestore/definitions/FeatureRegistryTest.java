package dev.millrace.featurestore.definitions;

import dev.millrace.core.config.MillraceConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shipped definitions load, a feature is added by conf alone, and each kind of wrong definition names itself. */
class FeatureRegistryTest {

    private static final String D = "millrace.features.definitions.";

    private static FeatureRegistry load(Map<String, Object> overrides) {
        return FeatureRegistry.load(MillraceConfig.defaults().with(overrides));
    }

    private static Map<String, Object> feature(String name, Object... keyValues) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(D + name + "." + keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Test
    void theShippedDefinitionsCoverUsersItemsAndUserItemContext() {
        FeatureRegistry r = load(Map.of());
        assertThat(r.activeEntities()).extracting(EntityDefinition::name).containsExactly("item", "user", "user_item");
        assertThat(r.entity("user").table().qualified()).isEqualTo("features.user_features");
        FeatureDefinition d7 = r.definitions().stream().filter(d -> d.name().equals("user_events_7d")).findFirst()
                .orElseThrow();
        assertThat(d7.aggregation()).isEqualTo(Aggregation.COUNT);
        assertThat(d7.window()).contains(Duration.ofDays(7));
        assertThat(r.definitionsOf("item")).extracting(FeatureDefinition::aggregation)
                .contains(Aggregation.BAYESIAN_MEAN, Aggregation.TREND, Aggregation.MULTI_HOT, Aggregation.REGEX_INT);
        assertThat(r.derived()).extracting(DerivedFeature::name).containsExactly("user_item_genre_match");
    }

    @Test
    void aFeatureIsAddedByConfAlone() {
        FeatureRegistry r = load(feature("user_max_rating_30d", "entity", "user", "source", "ratings",
                "aggregation", "max", "column", "rating", "window", "30d"));
        assertThat(r.definitionsOf("user")).extracting(FeatureDefinition::name).contains("user_max_rating_30d");
    }

    @Test
    void wrongDefinitionsFailWithTheirName() {
        assertThatThrownBy(() -> load(feature("bad_agg", "entity", "user", "source", "ratings", "aggregation", "median",
                "column", "rating"))).isInstanceOf(FeatureDefinitionException.class)
                .hasMessageContaining("feature 'bad_agg'").hasMessageContaining("unknown aggregation 'median'");
        assertThatThrownBy(() -> load(feature("bad_entity", "entity", "shop", "source", "ratings",
                "aggregation", "count"))).hasMessageContaining("feature 'bad_entity'")
                .hasMessageContaining("unknown entity 'shop'");
        assertThatThrownBy(() -> load(feature("bad_source", "entity", "user", "source", "clicks",
                "aggregation", "count"))).hasMessageContaining("feature 'bad_source'")
                .hasMessageContaining("unknown source 'clicks'");
        assertThatThrownBy(() -> load(feature("no_column", "entity", "user", "source", "ratings",
                "aggregation", "mean"))).hasMessageContaining("feature 'no_column'").hasMessageContaining("needs a column");
        assertThatThrownBy(() -> load(feature("bad_window", "entity", "user", "source", "ratings",
                "aggregation", "count", "window", "soon"))).hasMessageContaining("feature 'bad_window'")
                .hasMessageContaining("window must be a duration");
        assertThatThrownBy(() -> load(feature("flat_trend", "entity", "item", "source", "ratings",
                "aggregation", "trend", "column", "rating"))).hasMessageContaining("feature 'flat_trend'")
                .hasMessageContaining("needs a window");
        assertThatThrownBy(() -> load(feature("static_count", "entity", "item", "source", "movies",
                "aggregation", "count"))).hasMessageContaining("feature 'static_count'")
                .hasMessageContaining("is static");
        assertThatThrownBy(() -> load(feature("bad_vocab", "entity", "user", "source", "rated_movies",
                "aggregation", "share", "column", "genres", "vocabulary", "moods")))
                .hasMessageContaining("feature 'bad_vocab'").hasMessageContaining("unknown vocabulary 'moods'");
        assertThatThrownBy(() -> load(feature("typo", "entity", "user", "source", "ratings", "aggregation", "count",
                "windw", "7d"))).hasMessageContaining("feature 'typo'").hasMessageContaining("unknown setting 'windw'");
        assertThatThrownBy(() -> load(feature("no_group", "entity", "item", "source", "movies",
                "aggregation", "regex_int", "column", "title", "pattern", "\\d{4}")))
                .hasMessageContaining("feature 'no_group'").hasMessageContaining("has no group");
        assertThatThrownBy(() -> load(feature("Bad-Name", "entity", "user", "source", "ratings",
                "aggregation", "count"))).hasMessageContaining("'Bad-Name'");
    }
}
