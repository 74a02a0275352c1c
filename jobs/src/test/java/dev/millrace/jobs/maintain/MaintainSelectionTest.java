package dev.millrace.jobs.maintain;

import dev.millrace.core.lake.TableName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which tables {@code maintain} picks from --table, --exclude and --skip-missing (no Spark: the selection alone). */
class MaintainSelectionTest {

    private static final List<TableName> LAKE = List.of("bronze.ratings", "features.item_features",
            "features.user_features", "gold.popular_items", "gold.recommendations", "gold.training_set",
            "meta.ingested_files", "silver.movies", "silver.ratings").stream().map(TableName::parse).toList();

    private static List<String> select(List<String> tables, List<String> excludes, boolean skipMissing) {
        return MaintainCommand.select(LAKE, tables, excludes, skipMissing).stream().map(TableName::qualified).toList();
    }

    @Test
    void everyTableUnlessNamed() {
        assertThat(select(List.of(), List.of(), false)).hasSize(LAKE.size());
    }

    @Test
    void excludesByNameAndPattern() {
        // What the daily DAG's maintain (beside publish) leaves to maintain_published: the tables publish reads.
        assertThat(select(List.of(), List.of("gold.recommendations", "gold.popular_items", "silver.ratings",
                "features.*_features"), false))
                .containsExactly("bronze.ratings", "gold.training_set", "meta.ingested_files", "silver.movies");
    }

    @Test
    void patternsSelectWhatExistsAndFullNamesAreKeptUnlessSkipMissing() {
        List<String> published = List.of("gold.recommendations", "gold.popular_items", "silver.ratings",
                "features.*_features", "gold.absent");
        assertThat(select(published, List.of(), true)).containsExactly("features.item_features",
                "features.user_features", "gold.popular_items", "gold.recommendations", "silver.ratings");
        // Without --skip-missing a missing table is kept, so that maintain refuses it ("no Delta table").
        assertThat(select(published, List.of(), false)).contains("gold.absent");
        assertThat(select(List.of("nothere.*"), List.of(), false)).isEmpty();
        assertThat(select(List.of("*.*"), List.of("*.ratings"), false)).doesNotContain("bronze.ratings", "silver.ratings")
                .contains("silver.movies");
    }

    @Test
    void aPatternMustLookLikeATableName() {
        assertThatThrownBy(() -> select(List.of("features*"), List.of(), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer.name");
    }
}
