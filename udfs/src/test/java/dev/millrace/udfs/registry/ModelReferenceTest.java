package dev.millrace.udfs.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code name@alias} and {@code name@vNNNN}: the one parser of model references, and their resolution. */
class ModelReferenceTest {

    @TempDir
    Path dir;

    @Test
    void parsesAliasesVersionsAndBareNames() {
        ModelReference champion = ModelReference.parse("ranker@champion");
        assertThat(champion.model()).isEqualTo("ranker");
        assertThat(champion.alias()).contains("champion");
        assertThat(champion.version()).isEmpty();
        assertThat(ModelReference.parse(" ranker ")).isEqualTo(champion);
        assertThat(ModelReference.parse("ranker@challenger").alias()).contains("challenger");
        assertThat(ModelReference.parse("ranker@v0003").version()).contains("v0003");
        assertThat(ModelReference.parse("ranker@v3")).isEqualTo(ModelReference.ofVersion("ranker", "v0003"));
        assertThat(ModelReference.parse("Reranker.EU_2@canary-eu").model()).isEqualTo("Reranker.EU_2");
        assertThat(ModelReference.parse("ranker@champion").toString()).isEqualTo("ranker@champion");
        assertThat(ModelReference.parse("ranker@v3").toString()).isEqualTo("ranker@v0003");
    }

    @Test
    void rejectsBadReferences() {
        for (String bad : List.of("", " ", "@champion", "ranker@", "ranker@Champion", "ranker@a@b", "../x@champion",
                "a/b@champion", ".hidden", "ranker@2", "ranker@v0003 x")) {
            assertThatThrownBy(() -> ModelReference.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("model reference");
        }
        assertThatThrownBy(() -> new ModelReference("ranker", Optional.of("champion"), Optional.of("v0001")))
                .hasMessageContaining("one of them");
    }

    @Test
    void resolvesAgainstTheModelsRoot() {
        ModelRegistry registry = new ModelRegistry(dir.resolve("ranker"));
        for (int i = 0; i < 2; i++) {
            registry.register(new ModelVersion(null, "ranker", "2018-01-01", "t", Map.of(), Map.of(), List.of(),
                    Map.of(), Map.of(), "candidate"), f -> { });
        }
        registry.setAlias("champion", "v0001");
        registry.setAlias("challenger", "v0002");
        String root = dir.toString();
        assertThat(ModelReference.parse("ranker@champion").resolve(root)).map(ModelVersion::version).contains("v0001");
        assertThat(ModelReference.parse("ranker@challenger").resolve(root)).map(ModelVersion::version).contains("v0002");
        assertThat(ModelReference.parse("ranker@v0002").resolve(root)).map(ModelVersion::version).contains("v0002");
        assertThat(ModelReference.parse("ranker@shadow").resolve(root)).isEmpty();
        assertThat(ModelReference.parse("ranker@v0009").resolve(root)).isEmpty();
        assertThat(ModelReference.parse("other@champion").resolve(root)).isEmpty();
        assertThatThrownBy(() -> registry.resolve(ModelReference.parse("other@champion")))
                .hasMessageContaining("another model");
    }
}
