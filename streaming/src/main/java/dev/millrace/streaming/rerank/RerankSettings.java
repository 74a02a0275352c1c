package dev.millrace.streaming.rerank;

import dev.millrace.core.config.MillraceConfig;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * Streaming re-ranking, from {@code millrace.stream.flink.rerank}: the ONNX ranker (through DJL), the per-candidate
 * input vector (names from {@link CandidateInputs}), batching and where the re-ranked lists go.
 */
public record RerankSettings(boolean enabled, String modelName, String modelLocation, String engine, List<String> inputs,
                             int batchSize, Duration maxWait, String entity) implements Serializable {

    private static final String P = "millrace.stream.flink.rerank.";

    public RerankSettings {
        inputs = List.copyOf(inputs);
        if (enabled) {
            if (modelLocation == null || modelLocation.isBlank()) {
                throw new IllegalArgumentException(P + "model.location is empty: name the ranker's ONNX file");
            }
            inputs.forEach(CandidateInputs::check);
            if (batchSize < 1) {
                throw new IllegalArgumentException(P + "batch-size must be at least 1");
            }
        }
    }

    public static RerankSettings from(MillraceConfig c) {
        return new RerankSettings(c.getBoolean(P + "enabled"), c.getString(P + "model.name"),
                c.getString(P + "model.location"), c.getString(P + "model.engine"), c.getStringList(P + "inputs"),
                c.getInt(P + "batch-size"), c.getDuration(P + "max-wait"), c.getString(P + "entity"));
    }
}
