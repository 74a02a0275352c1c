package dev.millrace.udfs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The numbers of one scoring run, for the job summary: rows seen, rows scored, rows with null/NaN features, model
 * calls (batches), average batch fill, time in the model, and model loads with their time. Counted with Spark
 * accumulators, so a retried task counts twice.
 */
public record InferenceStats(String model, long rows, long scoredRows, long nullRows, long batches, double averageBatchFill,
                             long inferenceNanos, long modelLoads, long modelLoadNanos) {

    /** Scored rows per second of model time (0 before any batch). */
    public double rowsPerInferenceSecond() {
        return inferenceNanos == 0 ? 0 : scoredRows * 1e9 / inferenceNanos;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("rows", rows);
        m.put("scored_rows", scoredRows);
        m.put("null_rows", nullRows);
        m.put("batches", batches);
        m.put("average_batch_fill", averageBatchFill);
        m.put("inference_ms", inferenceNanos / 1_000_000);
        m.put("model_loads", modelLoads);
        m.put("model_load_ms", modelLoadNanos / 1_000_000);
        return m;
    }

    @Override
    public String toString() {
        return String.format("%s: %d rows (%d scored, %d null/NaN) in %d batches, fill %.2f, inference %d ms, %d model load(s) %d ms",
                model, rows, scoredRows, nullRows, batches, averageBatchFill, inferenceNanos / 1_000_000, modelLoads,
                modelLoadNanos / 1_000_000);
    }
}
