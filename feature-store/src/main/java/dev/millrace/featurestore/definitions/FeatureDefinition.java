package dev.millrace.featurestore.definitions;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One declared feature: the entity it describes, the source it reads, what it computes and over which trailing
 * window. Built only by {@link FeatureRegistry}, which checks the combination, so a definition in hand is coherent.
 *
 * @param column      the source column folded (absent for {@code count} and {@code recency_days})
 * @param window      trailing window before the feature timestamp; absent means all history
 * @param vocabulary  the values of {@code share} and {@code multi_hot}, in output order
 * @param priorWeight C of {@code bayesian_mean}
 * @param pattern     the regular expression of {@code regex_int}
 * @param required    whether a run must fail when the source is not in the lake (otherwise the feature is skipped)
 */
public record FeatureDefinition(String name, String entity, String source, Aggregation aggregation,
                                Optional<String> column, Optional<Duration> window, List<String> vocabulary,
                                double priorWeight, Optional<String> pattern, String description,
                                boolean required) {

    public FeatureDefinition {
        vocabulary = List.copyOf(vocabulary);
    }

    public boolean isAttribute() {
        return aggregation.kind() == Aggregation.Kind.ATTRIBUTE;
    }
}
