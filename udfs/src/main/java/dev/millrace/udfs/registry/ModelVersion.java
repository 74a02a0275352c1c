package dev.millrace.udfs.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One trained model version as the registry stores it ({@code version.json}): its parameters, the Delta versions of
 * the tables it was trained from, the exact input vector ({@link FeatureSpec}s in order), metrics (filled by
 * evaluation), the logical date of the run that made it and when it was created. {@code artifacts} names files
 * relative to the version's folder and tables it wrote.
 */
public record ModelVersion(String version, String name, String logicalDate, String createdAt,
                           Map<String, Object> params, Map<String, Long> trainingData, List<FeatureSpec> features,
                           Map<String, Double> metrics, Map<String, String> artifacts, String evaluation) {

    public ModelVersion {
        params = params == null ? Map.of() : new LinkedHashMap<>(params);
        trainingData = trainingData == null ? Map.of() : new LinkedHashMap<>(trainingData);
        features = features == null ? List.of() : List.copyOf(features);
        metrics = metrics == null ? Map.of() : new LinkedHashMap<>(metrics);
        artifacts = artifacts == null ? Map.of() : new LinkedHashMap<>(artifacts);
    }

    /** A copy with metrics and the evaluation verdict set. */
    public ModelVersion withEvaluation(Map<String, Double> newMetrics, String verdict) {
        return new ModelVersion(version, name, logicalDate, createdAt, params, trainingData, features, newMetrics,
                artifacts, verdict);
    }

    /** A copy with the version id set (the registry assigns it). */
    public ModelVersion withVersion(String id) {
        return new ModelVersion(id, name, logicalDate, createdAt, params, trainingData, features, metrics, artifacts,
                evaluation);
    }

    /** The length of the input vector. */
    public int inputSize() {
        return features.size();
    }
}
