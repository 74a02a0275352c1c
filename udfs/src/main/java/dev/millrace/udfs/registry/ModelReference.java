package dev.millrace.udfs.registry;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A model named by text, the one parser for it (the jobs' options, later SQL {@code predict} and the streaming
 * conf): {@code name@alias} ({@code ranker@champion}, {@code ranker@challenger}), {@code name@version}
 * ({@code ranker@v0003}) or a bare {@code name}, which means {@code name@champion}. The name is the registry's folder
 * under {@code millrace.models.root}; exactly one of {@code alias} and {@code version} is present.
 */
public record ModelReference(String model, Optional<String> alias, Optional<String> version) {

    /** Model names: a single folder name (no {@code /}, never {@code .} or {@code ..}). */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public ModelReference {
        checkName(model);
        alias.ifPresent(ModelRegistry::checkAlias);
        version = version.map(ModelRegistry::versionId);
        if (alias.isPresent() == version.isPresent()) {
            throw new IllegalArgumentException("a model reference names an alias or a version, one of them");
        }
    }

    /** {@code name@alias}. */
    public static ModelReference ofAlias(String model, String alias) {
        return new ModelReference(model, Optional.of(alias), Optional.empty());
    }

    /** {@code name@vNNNN}. */
    public static ModelReference ofVersion(String model, String version) {
        return new ModelReference(model, Optional.empty(), Optional.of(version));
    }

    /**
     * Parses {@code name}, {@code name@alias} or {@code name@vNNNN}; surrounding blanks are ignored. A selector of
     * the form {@code v<digits>} is a version id (aliases never look like one), anything else an alias.
     */
    public static ModelReference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty model reference (expected name@alias, e.g. ranker@champion)");
        }
        String t = text.strip();
        int at = t.indexOf('@');
        try {
            if (at < 0) {
                return ofAlias(t, ModelRegistry.CHAMPION);
            }
            String name = t.substring(0, at);
            String selector = t.substring(at + 1);
            return selector.matches("v\\d+") ? ofVersion(name, selector) : ofAlias(name, selector);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad model reference '" + t + "': " + e.getMessage()
                    + " (expected name@alias or name@vNNNN, e.g. ranker@champion)", e);
        }
    }

    /** A model name, checked against {@link #NAME}. */
    public static String checkName(String model) {
        if (model == null || !NAME.matcher(model).matches()) {
            throw new IllegalArgumentException("bad model name '" + model + "': letters, digits, _ . and -, starting"
                    + " with a letter or digit, at most 64 characters");
        }
        return model;
    }

    /** This model's registry under a models root ({@code millrace.models.root}). */
    public ModelRegistry registry(String modelsRoot) {
        return ModelRegistry.at(modelsRoot + "/" + model);
    }

    /** The version this reference names in the models root, if it exists. */
    public Optional<ModelVersion> resolve(String modelsRoot) {
        return registry(modelsRoot).resolve(this);
    }

    @Override
    public String toString() {
        return model + "@" + alias.orElseGet(version::orElseThrow);
    }
}
