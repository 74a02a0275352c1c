package dev.millrace.jobs.training;

import dev.millrace.core.run.ExitCodes;
import dev.millrace.jobs.Main;
import dev.millrace.udfs.registry.FeatureSpec;
import dev.millrace.udfs.registry.ModelRegistry;
import dev.millrace.udfs.registry.ModelVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** {@code models} and {@code models alias} through the command entry point, on registries of two versions (no Spark). */
class ModelsAliasCommandTest {

    @TempDir
    Path lake;

    private ModelRegistry registry(String model) {
        ModelRegistry registry = new ModelRegistry(lake.resolve("_models").resolve(model));
        for (int i = 1; i <= 2; i++) {
            registry.register(new ModelVersion(null, model, "2018-01-0" + i, "2026-01-01T00:00:00Z",
                    Map.of("epochs", 3L), Map.of("gold.training_set", (long) i), List.of(new FeatureSpec("a", "a", -1, 0, 1)),
                    Map.of(), Map.of(), "candidate"), f -> { });
        }
        return registry;
    }

    @Test
    void setsListsAndRemovesAliasesOfTheConfiguredModel() {
        ModelRegistry registry = registry("ranker");
        registry.setAlias(ModelRegistry.CHAMPION, "v0001");

        Run set = run("models", "alias", "--lake", lake.toString(), "--set", "challenger", "--version", "2");
        assertThat(set.code).isEqualTo(ExitCodes.OK);
        assertThat(set.out).contains("challenger: (none) -> v0002").contains("champion     v0001");
        assertThat(registry.aliases()).containsExactly(entry("challenger", "v0002"), entry("champion", "v0001"));

        Run list = run("models", "--lake", lake.toString());
        assertThat(list.out).contains("* v0001").contains("aliases champion").contains("  v0002")
                .contains("aliases challenger");

        // Promote the challenger by hand: champion moves, challenger stays until removed.
        assertThat(run("models", "alias", "--lake", lake.toString(), "--model", "ranker", "--set", "champion",
                "--version", "v0002").out).contains("champion: v0001 -> v0002");
        assertThat(run("models", "alias", "--lake", lake.toString(), "--remove", "challenger").out)
                .contains("removed challenger (was v0002)");
        assertThat(registry.aliases()).containsExactly(entry("champion", "v0002"));
        assertThat(run("models", "alias", "--lake", lake.toString()).out).contains("champion     v0002")
                .doesNotContain("challenger");
    }

    @Test
    void refusesWhatWouldBreakTheRegistry() {
        ModelRegistry registry = registry("ranker");
        registry.setAlias(ModelRegistry.CHAMPION, "v0001");
        String root = lake.toString();
        Run removeChampion = run("models", "alias", "--lake", root, "--remove", "champion");
        assertThat(removeChampion.code).isEqualTo(ExitCodes.FAILED);
        assertThat(removeChampion.err).contains("cannot be removed");
        assertThat(run("models", "alias", "--lake", root, "--set", "challenger", "--version", "9").err)
                .contains("no model version v0009");
        assertThat(run("models", "alias", "--lake", root, "--set", "Bad/Name", "--version", "1").err)
                .contains("bad alias name");
        assertThat(run("models", "alias", "--lake", root, "--model", "../x", "--set", "a", "--version", "1").err)
                .contains("bad model name");
        // Usage errors: --set without --version, --version alone, --set and --remove together.
        assertThat(run("models", "alias", "--lake", root, "--set", "challenger").code).isEqualTo(ExitCodes.USAGE);
        assertThat(run("models", "alias", "--lake", root, "--version", "1").code).isEqualTo(ExitCodes.USAGE);
        assertThat(run("models", "alias", "--lake", root, "--set", "a", "--remove", "b", "--version", "1").code)
                .isEqualTo(ExitCodes.USAGE);
        assertThat(registry.aliases()).containsExactly(entry("champion", "v0001"));
    }

    @Test
    void anotherModelNameAndALegacyCurrentFile() throws Exception {
        registry("ranker");
        ModelRegistry other = registry("reranker-eu");
        Files.writeString(other.root().resolve(ModelRegistry.CURRENT_FILE), "{\"version\": \"v0002\"}");
        String root = lake.toString();

        Run list = run("models", "alias", "--lake", root, "--model", "reranker-eu");
        assertThat(list.out).contains("champion     v0002").contains("legacy CURRENT");
        assertThat(run("models", "--lake", root, "--model", "reranker-eu").out).contains("* v0002");
        assertThat(run("models", "--lake", root).out).doesNotContain("*"); // ranker has no champion

        assertThat(run("models", "alias", "--lake", root, "--model", "reranker-eu", "--set", "shadow", "--version", "1")
                .out).contains("shadow: (none) -> v0001").doesNotContain("legacy CURRENT");
        assertThat(other.hasLegacyCurrent()).isFalse();
        assertThat(other.aliases()).containsExactly(entry("champion", "v0002"), entry("shadow", "v0001"));
        assertThat(registry("x").aliases()).isEmpty();
    }

    @Test
    void everyModelsCommandHasHelpWithAnExample() {
        for (String[] args : List.of(new String[] {"models", "--help"}, new String[] {"models", "alias", "--help"})) {
            Run help = run(args);
            assertThat(help.code).isEqualTo(ExitCodes.OK);
            assertThat(help.out).contains("Example").contains("bin/millrace models");
        }
        assertThat(run("models", "alias", "--help").out).contains("--set").contains("--remove").contains("--version")
                .contains("--model").contains("--lake").contains("--set challenger --version 3");
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // Main.run builds its command line now, so picocli's out and err writers are these streams too.
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
