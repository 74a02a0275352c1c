package dev.millrace.udfs.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.millrace.udfs.registry.ModelRegistry.CHAMPION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** Named aliases on model versions: set, move, remove, list, validation, the legacy CURRENT file, crash safety. */
class ModelRegistryAliasTest {

    @TempDir
    Path dir;

    private static ModelVersion draft(String name, String verdict) {
        return new ModelVersion(null, name, "2018-01-01", "2026-01-01T00:00:00Z", Map.of("epochs", 3L), Map.of(),
                List.of(new FeatureSpec("a", "a", -1, 0, 1)), Map.of(), Map.of(), verdict);
    }

    private ModelRegistry registryWith(int versions) {
        ModelRegistry registry = new ModelRegistry(dir.resolve("ranker"));
        for (int i = 0; i < versions; i++) {
            registry.register(draft("ranker", "candidate"), f -> { });
        }
        return registry;
    }

    @Test
    void setsMovesListsAndRemovesAliases() {
        ModelRegistry registry = registryWith(3);
        assertThat(registry.aliases()).isEmpty();
        registry.setAlias(CHAMPION, "v0001");
        registry.setAlias("challenger", "3"); // a bare number is the version's id
        assertThat(registry.aliases()).containsExactly(entry("challenger", "v0003"), entry(CHAMPION, "v0001"));
        assertThat(registry.resolve("challenger")).map(ModelVersion::version).contains("v0003");

        registry.setAlias(CHAMPION, "v0002");
        registry.setAlias("shadow", "v0002");
        assertThat(registry.champion()).map(ModelVersion::version).contains("v0002");
        assertThat(registry.aliasesOf("v0002")).containsExactly(CHAMPION, "shadow");
        assertThat(registry.aliasesOf("v0001")).isEmpty();

        assertThat(registry.removeAlias("challenger")).isTrue();
        assertThat(registry.removeAlias("challenger")).isFalse();
        assertThat(registry.aliasVersion("challenger")).isEmpty();
        assertThat(registry.aliases()).containsOnlyKeys(CHAMPION, "shadow");
        assertThatThrownBy(() -> registry.removeAlias(CHAMPION)).hasMessageContaining("cannot be removed");
        assertThat(registry.champion()).isPresent();
    }

    @Test
    void anAliasNamesOnlyAnExistingFinishedVersionAndKeepsItFromBeingDiscarded() {
        ModelRegistry registry = registryWith(2);
        ModelVersion unfinished = registry.register(draft("ranker", null), f -> { });
        assertThatThrownBy(() -> registry.setAlias("challenger", "v0009")).hasMessageContaining("no model version v0009");
        assertThatThrownBy(() -> registry.setAlias("challenger", unfinished.version()))
                .hasMessageContaining("unfinished");
        assertThatThrownBy(() -> registry.setAlias("challenger", "../ranker")).hasMessageContaining("bad model version");
        assertThat(registry.aliases()).isEmpty();

        registry.setAlias("challenger", "v0002");
        assertThatThrownBy(() -> registry.discard("v0002")).hasMessageContaining("aliased (challenger)");
        registry.removeAlias("challenger");
        registry.discard("v0002");
        assertThat(registry.get("v0002")).isEmpty();
        assertThatThrownBy(() -> registry.setAlias("challenger", "v0002")).hasMessageContaining("no model version");
    }

    @Test
    void aliasNamesAreValidated() {
        for (String ok : List.of("champion", "challenger", "a", "shadow_2", "canary-eu", "x".repeat(32))) {
            assertThat(ModelRegistry.checkAlias(ok)).isEqualTo(ok);
        }
        for (String bad : List.of("", "Champion", "2nd", "_x", "-x", "a b", "a/b", "..", ".champion", "x".repeat(33),
                "v0003", "v3", "champion.tmp", "CURRENT")) {
            assertThatThrownBy(() -> ModelRegistry.checkAlias(bad)).as(bad).hasMessageContaining("bad alias name");
        }
        assertThatThrownBy(() -> ModelRegistry.checkAlias(null)).hasMessageContaining("bad alias name");
        ModelRegistry registry = registryWith(1);
        assertThatThrownBy(() -> registry.setAlias("../CURRENT", "v0001")).hasMessageContaining("bad alias name");
        assertThatThrownBy(() -> registry.aliasVersion("Bad")).hasMessageContaining("bad alias name");
        assertThat(ModelRegistry.versionId("3")).isEqualTo("v0003");
        assertThat(ModelRegistry.versionId("v3")).isEqualTo("v0003");
        assertThat(ModelRegistry.versionId("v12345")).isEqualTo("v12345");
        assertThatThrownBy(() -> ModelRegistry.versionId("three")).hasMessageContaining("bad model version");
    }

    @Test
    void aLegacyCurrentFileReadsAsChampionAndTheFirstAliasWriteMigratesIt() throws IOException {
        ModelRegistry registry = registryWith(2);
        // A registry written before aliases: CURRENT only.
        Files.writeString(registry.root().resolve("CURRENT"),
                "{\"version\": \"v0001\", \"promoted_at\": \"2026-01-01T00:00:00Z\"}", StandardCharsets.UTF_8);
        assertThat(registry.hasLegacyCurrent()).isTrue();
        assertThat(registry.champion()).map(ModelVersion::version).contains("v0001");
        assertThat(registry.aliases()).containsExactly(entry(CHAMPION, "v0001"));
        assertThatThrownBy(() -> registry.discard("v0001")).hasMessageContaining("aliased (champion)");

        // Any alias write migrates: champion keeps its version, now in aliases/champion, and CURRENT goes.
        registry.setAlias("challenger", "v0002");
        assertThat(registry.hasLegacyCurrent()).isFalse();
        assertThat(Files.readString(registry.root().resolve("aliases/champion"))).contains("\"version\": \"v0001\"");
        assertThat(registry.aliases()).containsExactly(entry("challenger", "v0002"), entry(CHAMPION, "v0001"));

        registry.setAlias(CHAMPION, "v0002");
        assertThat(registry.champion()).map(ModelVersion::version).contains("v0002");
        assertThat(names(registry.root())).containsExactlyInAnyOrder("aliases", "versions", ".staging");
    }

    @Test
    void aMigrationThatCrashedBeforeDeletingCurrentLetsAliasesChampionWin() throws IOException {
        ModelRegistry registry = registryWith(2);
        Files.writeString(registry.root().resolve("CURRENT"), "{\"version\": \"v0001\"}", StandardCharsets.UTF_8);
        Files.createDirectories(registry.root().resolve("aliases"));
        // What a crash after migration's first write and a later champion move would leave: both files, differing.
        Files.writeString(registry.root().resolve("aliases/champion"), "{\"alias\": \"champion\", \"version\": \"v0002\"}",
                StandardCharsets.UTF_8);
        assertThat(registry.champion()).map(ModelVersion::version).contains("v0002");
        assertThat(registry.aliases()).containsExactly(entry(CHAMPION, "v0002"));

        registry.setAlias("challenger", "v0001"); // finishes the migration without overwriting champion
        assertThat(registry.hasLegacyCurrent()).isFalse();
        assertThat(registry.aliases()).containsExactly(entry("challenger", "v0001"), entry(CHAMPION, "v0002"));
    }

    @Test
    void aCrashBetweenTheTemporaryWriteAndTheRenameLeavesTheOldAlias() throws IOException {
        registryWith(2).setAlias("challenger", "v0001");
        ModelRegistry crashing = new ModelRegistry(dir.resolve("ranker"), (tmp, target) -> {
            // The temporary file is complete and on disk; the crash comes before the rename publishes it.
            assertThat(Files.readString(tmp)).contains("\"version\": \"v0002\"");
            throw new SimulatedCrash();
        });
        assertThatThrownBy(() -> crashing.setAlias("challenger", "v0002")).isInstanceOf(SimulatedCrash.class);

        ModelRegistry after = new ModelRegistry(dir.resolve("ranker"));
        assertThat(after.aliasVersion("challenger")).contains("v0001");
        // The leftover temporary file is hidden, never read as an alias, and does not block the next move.
        assertThat(names(after.root().resolve("aliases"))).hasSize(2).contains("challenger")
                .anyMatch(n -> n.startsWith(".challenger.") && n.endsWith(".tmp"));
        assertThat(after.aliases()).containsExactly(entry("challenger", "v0001"));
        after.setAlias("challenger", "v0002");
        assertThat(after.aliasVersion("challenger")).contains("v0002");
        // The alias file itself is always a whole pointer.
        assertThat(Files.readString(after.root().resolve("aliases/challenger"))).contains("\"alias\": \"challenger\"")
                .endsWith("}");
    }

    @Test
    void eachModelNameHasItsOwnAliases() {
        ModelRegistry ranker = registryWith(2);
        ModelRegistry reranker = new ModelRegistry(dir.resolve("reranker-eu"));
        reranker.register(draft("reranker-eu", "candidate"), f -> { });
        ranker.setAlias(CHAMPION, "v0002");
        reranker.setAlias(CHAMPION, "v0001");
        assertThat(ranker.champion()).map(ModelVersion::version).contains("v0002");
        assertThat(reranker.champion()).map(ModelVersion::name).contains("reranker-eu");
        assertThat(ModelReference.parse("reranker-eu@champion").resolve(dir.toString()))
                .map(ModelVersion::version).contains("v0001");
        assertThat(ModelReference.parse("ranker").resolve(dir.toString())).map(ModelVersion::version).contains("v0002");
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static final class SimulatedCrash extends RuntimeException {
    }
}
