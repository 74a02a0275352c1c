package dev.millrace.featurestore.definitions;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.TableName;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On a lake of interactions only (silver.ratings, no silver.tags or silver.movies) the shipped definitions keep every
 * feature over ratings and skip the rest, derived features over skipped ones included; a required one fails.
 */
class RunnableFeaturesTest {

    private static final TableName RATINGS = TableName.parse("silver.ratings");
    private static final Set<TableName> RATINGS_ONLY = Set.of(RATINGS);

    private static Map<String, SourceStatus> statuses(FeatureRegistry r, Set<TableName> lake) {
        Map<String, SourceStatus> out = new LinkedHashMap<>();
        for (SourceDefinition s : r.sources().values()) {
            List<TableName> reads = s.table().map(List::of)
                    .orElse(List.of(RATINGS, TableName.parse("silver.movies"))); // rated_movies' join
            out.put(s.name(), new SourceStatus(s, reads, reads.stream().filter(t -> !lake.contains(t)).toList()));
        }
        return out;
    }

    @Test
    void featuresOverMissingSourcesAreSkippedWithOneLineNamingThem() {
        FeatureRegistry all = FeatureRegistry.load(MillraceConfig.defaults());
        RunnableFeatures runnable = RunnableFeatures.of(all, statuses(all, RATINGS_ONLY));

        assertThat(runnable.skipped()).extracting(RunnableFeatures.Skipped::feature).containsExactlyInAnyOrder(
                "item_genres", "item_release_year", "user_genre_affinity", "user_item_tags",
                "user_item_tag_recency_days");
        assertThat(runnable.skippedDerived()).containsExactly("user_item_genre_match");
        assertThat(runnable.registry().definitions()).allMatch(d -> d.source().equals("ratings"))
                .hasSize(all.definitions().size() - 5);
        assertThat(runnable.registry().derived()).isEmpty();
        assertThat(runnable.registry().activeEntities()).extracting(EntityDefinition::name)
                .containsExactly("item", "user");
        assertThat(runnable.summary()).doesNotContain("\n")
                .startsWith("5 of " + all.definitions().size() + " features skipped, their source is not in this lake: ")
                .contains("user_item_tag_recency_days, user_item_tags (source tags: missing silver.tags)")
                .contains("item_genres, item_release_year (source movies: missing silver.movies)")
                .contains("user_genre_affinity (source rated_movies: missing silver.movies)")
                .contains("derived user_item_genre_match");
    }

    @Test
    void nothingIsSkippedWhenEverySourceIsThere() {
        FeatureRegistry all = FeatureRegistry.load(MillraceConfig.defaults());
        RunnableFeatures runnable = RunnableFeatures.of(all, statuses(all, Set.of(RATINGS,
                TableName.parse("silver.movies"), TableName.parse("silver.tags"))));
        assertThat(runnable.skipsAnything()).isFalse();
        assertThat(runnable.summary()).isEmpty();
        assertThat(runnable.registry().definitions()).isEqualTo(all.definitions());
        assertThat(runnable.registry().derived()).isEqualTo(all.derived());
    }

    @Test
    void aRequiredFeatureOverAMissingSourceFailsNamingItAndTheTable() {
        FeatureRegistry all = FeatureRegistry.load(MillraceConfig.defaults()
                .with(Map.of("millrace.features.definitions.user_item_tags.required", true)));
        assertThat(all.definitions().stream().filter(FeatureDefinition::required).map(FeatureDefinition::name))
                .containsExactly("user_item_tags");
        assertThatThrownBy(() -> RunnableFeatures.of(all, statuses(all, RATINGS_ONLY)))
                .isInstanceOf(FeatureDefinitionException.class)
                .hasMessageContaining("feature 'user_item_tags' is required")
                .hasMessageContaining("missing silver.tags");
    }

    @Test
    void requiredMustBeABoolean() {
        assertThatThrownBy(() -> FeatureRegistry.load(MillraceConfig.defaults()
                .with(Map.of("millrace.features.definitions.user_item_tags.required", "sometimes"))))
                .isInstanceOf(FeatureDefinitionException.class)
                .hasMessageContaining("feature 'user_item_tags': required must be true or false");
    }
}
