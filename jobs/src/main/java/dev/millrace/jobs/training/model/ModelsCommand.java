package dev.millrace.jobs.training.model;

import dev.millrace.core.cli.CommonOptions;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.jobs.training.TrainingSettings;
import dev.millrace.udfs.registry.ModelRegistry;
import dev.millrace.udfs.registry.ModelVersion;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;

/**
 * {@code millrace models}: the registry's versions, newest last, with their aliases and the champion marked, and
 * {@code millrace models alias}: list, move or remove the aliases (no Spark needed).
 */
@Command(name = "models", mixinStandardHelpOptions = true, subcommands = ModelsCommand.Alias.class,
        description = "List the model versions in the registry (millrace.models): date, creation time, inputs, "
                + "metrics, verdict and aliases; * marks the champion (the version score uses).",
        footer = {"", "Examples:", "  bin/millrace models", "  bin/millrace models --details",
                "  bin/millrace models --model reranker", "  bin/millrace models alias --help"})
public final class ModelsCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = "--model", paramLabel = "NAME", scope = ScopeType.INHERIT,
            description = "The model: its registry is <millrace.models.root>/NAME (default: millrace.models.name).")
    String model;

    @Option(names = "--details", description = "Also print parameters and the input vector.")
    boolean details;

    /** The registry these options name. */
    ModelRegistry registry() {
        TrainingSettings s = TrainingSettings.from(common.load());
        return ModelRegistry.at(model == null ? s.registryLocation() : s.registryLocation(model));
    }

    @Override
    public Integer call() {
        ModelRegistry registry = registry();
        String champion = registry.aliasVersion(ModelRegistry.CHAMPION).orElse("");
        System.out.println("registry: " + registry.root());
        List<ModelVersion> versions = registry.list();
        if (versions.isEmpty()) {
            System.out.println("no model versions yet (bin/millrace train)");
        }
        for (ModelVersion v : versions) {
            List<String> aliases = registry.aliasesOf(v.version());
            System.out.printf(Locale.ROOT, "%s %s  date %s  created %s  inputs %s  features %d%s%n",
                    v.version().equals(champion) ? "*" : " ", v.version(), v.logicalDate(), v.createdAt(),
                    v.trainingData(), v.inputSize(), aliases.isEmpty() ? "" : "  aliases " + String.join(", ", aliases));
            String ndcg = v.metrics().entrySet().stream().filter(e -> e.getKey().startsWith("ranker_")
                            && e.getKey().contains(".ndcg"))
                    .map(e -> String.format(Locale.ROOT, "%s=%.4f", e.getKey(), e.getValue())).findFirst().orElse("");
            System.out.println("      " + (v.evaluation() == null ? "not evaluated" : v.evaluation())
                    + (ndcg.isEmpty() ? "" : "  " + ndcg));
            if (details) {
                for (Map.Entry<String, Object> p : v.params().entrySet()) {
                    System.out.println("      param " + p.getKey() + " = " + p.getValue());
                }
                v.features().forEach(f -> System.out.println("      input " + f));
            }
        }
        return ExitCodes.OK;
    }

    /**
     * {@code millrace models alias}: lists the aliases, or moves one ({@code --set A --version N}, one atomic write)
     * or removes one ({@code --remove A}). The config, lake and {@code --model} options are the parent's (inherited).
     */
    @Command(name = "alias",
            description = {"List the model's aliases, or point one at a version (created or moved in one atomic "
                    + "write) or remove one. champion is the version score uses and evaluate moves; it can be moved "
                    + "but not removed. Alias names: lower-case letters, digits, _ and -, starting with a letter, at "
                    + "most 32 characters, not a version id.",
                    "A registry written before aliases (a CURRENT file) lists CURRENT's version as champion; the "
                            + "first alias write migrates it to aliases/champion."},
            footer = {"", "Examples:",
                    "  bin/millrace models alias           # the aliases of millrace.models.name",
                    "  bin/millrace models alias --model ranker",
                    "  bin/millrace models alias --model ranker --set challenger --version 3",
                    "  bin/millrace models alias --model ranker --set champion --version v0002",
                    "  bin/millrace models alias --model ranker --remove challenger"})
    public static final class Alias implements Callable<Integer> {

        @ParentCommand
        ModelsCommand parent;

        @Spec
        CommandLine.Model.CommandSpec spec;

        // Not mixinStandardHelpOptions: its -V/--version would take the name --version, which here is a model version.
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @ArgGroup(exclusive = true)
        Change change;

        @Option(names = "--version", paramLabel = "VERSION",
                description = "With --set: the version the alias points to, its id (v0003) or number (3).")
        String version;

        /** At most one change per call. */
        static final class Change {
            @Option(names = "--set", paramLabel = "ALIAS", required = true,
                    description = "Point ALIAS at --version (create it or move it).")
            String set;

            @Option(names = "--remove", paramLabel = "ALIAS", required = true,
                    description = "Remove ALIAS (champion cannot be removed).")
            String remove;
        }

        @Override
        public Integer call() {
            boolean setting = change != null && change.set != null;
            if (setting != (version != null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), setting
                        ? "--set needs --version (e.g. --set challenger --version 3)"
                        : "--version goes with --set (e.g. --set challenger --version 3)");
            }
            ModelRegistry registry = parent.registry();
            System.out.println("registry: " + registry.root());
            if (setting) {
                String before = registry.aliasVersion(ModelRegistry.checkAlias(change.set)).orElse("(none)");
                registry.setAlias(change.set, version);
                System.out.println(change.set + ": " + before + " -> " + registry.aliasVersion(change.set).orElseThrow());
            } else if (change != null) {
                String before = registry.aliasVersion(ModelRegistry.checkAlias(change.remove)).orElse(null);
                boolean removed = registry.removeAlias(change.remove);
                System.out.println(removed ? "removed " + change.remove + " (was " + before + ")"
                        : "no alias " + change.remove + ": nothing to remove");
            }
            SortedMap<String, String> aliases = registry.aliases();
            if (aliases.isEmpty()) {
                System.out.println("no aliases yet (evaluate sets champion when it promotes a version)");
            }
            aliases.forEach((a, v) -> System.out.printf(Locale.ROOT, "%-12s %s%s%n", a, v,
                    registry.get(v).isEmpty() ? "  (version missing)" : ""));
            if (registry.hasLegacyCurrent()) {
                System.out.println("(champion read from the legacy CURRENT file; the first alias write migrates it)");
            }
            return ExitCodes.OK;
        }
    }
}
