package dev.millrace.jobs.training.model;

import dev.millrace.core.cli.CommonOptions;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.jobs.training.TrainingSettings;
import dev.millrace.udfs.registry.ModelRegistry;
import dev.millrace.udfs.registry.ModelVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code millrace models}: the registry's versions, newest last, the current one marked (no Spark needed). */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the model versions in the registry (millrace.models): date, creation time, inputs, "
                + "metrics and verdict; * marks the champion (the version score uses).",
        footer = {"", "Examples:", "  bin/millrace models", "  bin/millrace models --details"})
public final class ModelsCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = "--details", description = "Also print parameters and the input vector.")
    boolean details;

    @Override
    public Integer call() {
        TrainingSettings s = TrainingSettings.from(common.load());
        ModelRegistry registry = ModelRegistry.at(s.registryLocation());
        String current = registry.aliasVersion(ModelRegistry.CHAMPION).orElse("");
        System.out.println("registry: " + registry.root());
        if (registry.list().isEmpty()) {
            System.out.println("no model versions yet (bin/millrace train)");
        }
        for (ModelVersion v : registry.list()) {
            System.out.printf(Locale.ROOT, "%s %s  date %s  created %s  inputs %s  features %d%n",
                    v.version().equals(current) ? "*" : " ", v.version(), v.logicalDate(), v.createdAt(),
                    v.trainingData(), v.inputSize());
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
}
