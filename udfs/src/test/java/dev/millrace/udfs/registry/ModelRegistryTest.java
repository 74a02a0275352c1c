package dev.millrace.udfs.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Versions, the feature spec round trip and the champion alias of the plain-file model registry. */
class ModelRegistryTest {

    @TempDir
    Path dir;

    private static ModelVersion draft(String date) {
        return new ModelVersion(null, "ranker", date, "2026-01-01T00:00:00Z", Map.of("epochs", 3),
                Map.of("gold.training_set", 4L), List.of(new FeatureSpec("user_events_all", "user_events_all", -1, 10, 2),
                new FeatureSpec("item_genres_3", "item_genres", 3, 0.1, 0.3)), Map.of(), Map.of("ranker", "ranker"),
                "candidate");
    }

    @Test
    void registersVersionsWithTheirArtifactsAndKeepsExactlyOneChampion() throws Exception {
        ModelRegistry registry = ModelRegistry.at(dir.toUri().toString());
        ModelVersion v1 = registry.register(draft("2018-01-01"), f -> Files.writeString(f.resolve("model.bin"), "1"));
        ModelVersion v2 = registry.register(draft("2018-01-02"), f -> Files.writeString(f.resolve("model.bin"), "2"));
        assertThat(v1.version()).isEqualTo("v0001");
        assertThat(v2.version()).isEqualTo("v0002");
        assertThat(Files.readString(registry.folder("v0002").resolve("model.bin"))).isEqualTo("2");
        assertThat(registry.champion()).isEmpty();

        registry.setAlias(ModelRegistry.CHAMPION, "v0001");
        registry.setAlias(ModelRegistry.CHAMPION, "v0002");
        assertThat(registry.aliasVersion(ModelRegistry.CHAMPION)).contains("v0002");
        assertThat(registry.champion()).map(ModelVersion::version).contains("v0002");
        assertThatThrownBy(() -> registry.setAlias(ModelRegistry.CHAMPION, "v0099"))
                .hasMessageContaining("no model version v0099");

        ModelVersion read = registry.get("v0001").orElseThrow();
        assertThat(read.features()).isEqualTo(draft("x").features());
        assertThat(read.trainingData()).containsEntry("gold.training_set", 4L);
        registry.update(read.withEvaluation(Map.of("ndcg_at_10", 0.25), "promoted"));
        assertThat(registry.get("v0001").orElseThrow().metrics()).containsEntry("ndcg_at_10", 0.25);
        assertThat(registry.list()).extracting(ModelVersion::version).containsExactly("v0001", "v0002");
        assertThat(registry.latest(v -> v.logicalDate().equals("2018-01-01"))).map(ModelVersion::version).contains("v0001");
        // Only the aliases and versions folders: no temporary files left behind.
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".staging")).toList())
                    .containsExactlyInAnyOrder("aliases", "versions");
        }
        try (var s = Files.list(dir.resolve("aliases"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("champion");
        }
    }

    @Test
    void discardRemovesAVersionAndItsFilesButNeverAnAliasedOne() throws Exception {
        ModelRegistry registry = ModelRegistry.at(dir.toUri().toString());
        ModelVersion v1 = registry.register(draft("2018-01-01"), f -> Files.writeString(f.resolve("model.bin"), "1"));
        ModelVersion v2 = registry.register(draft("2018-01-02"), f -> Files.writeString(f.resolve("model.bin"), "2"));
        registry.setAlias(ModelRegistry.CHAMPION, v1.version());
        registry.discard(v2.version());
        assertThat(registry.get(v2.version())).isEmpty();
        assertThat(Files.exists(registry.folder(v2.version()))).isFalse();
        assertThat(registry.list()).extracting(ModelVersion::version).containsExactly("v0001");
        // The freed number is the next one again, as if the discarded version had never been registered.
        assertThat(registry.register(draft("2018-01-02"), f -> { }).version()).isEqualTo("v0002");
        assertThatThrownBy(() -> registry.discard(v1.version())).hasMessageContaining("is aliased (champion)");
        try (var s = Files.list(dir.resolve(".trash"))) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void concurrentRegistrationsGetDistinctIds() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ModelVersion>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(pool.submit(() -> registry.register(draft("2018-01-01"), f -> { })));
            }
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (Future<ModelVersion> f : fs) {
                ids.add(f.get().version());
            }
            assertThat(ids).hasSize(8);
            assertThat(registry.list()).hasSize(8);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void standardisesMissingValuesToTheMean() {
        FeatureSpec f = new FeatureSpec("a", "a", -1, 3, 2);
        assertThat(f.standardize(7.0)).isEqualTo(2f);
        assertThat(f.standardize(null)).isEqualTo(0f);
        assertThat(f.standardize(Double.NaN)).isEqualTo(0f);
        assertThatThrownBy(() -> new FeatureSpec("a", "a", -1, 0, 0)).hasMessageContaining("std must be > 0");
    }
}
