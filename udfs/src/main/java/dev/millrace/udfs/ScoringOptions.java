package dev.millrace.udfs;

import java.io.Serializable;
import java.util.Locale;

/**
 * How to score: rows per model call, the null/NaN policy and where to run. A model whose ONNX input declares a
 * fixed batch dimension (mnist's [1,1,28,28]) is run with that batch size whatever is asked here.
 *
 * @param batchSize  rows per model call (default 1024)
 * @param nullPolicy what to do with null or NaN features (default: null prediction)
 * @param device     AUTO (the task's GPU when Spark gave it one, else CPU), CPU or GPU (fail without a GPU)
 */
public record ScoringOptions(int batchSize, NullPolicy nullPolicy, DevicePolicy device) implements Serializable {

    public static final int DEFAULT_BATCH_SIZE = 1024;

    /** Where the model runs. */
    public enum DevicePolicy { AUTO, CPU, GPU;

        public static DevicePolicy parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    public ScoringOptions {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (nullPolicy == null) {
            nullPolicy = NullPolicy.NULL_PREDICTION;
        }
        if (device == null) {
            device = DevicePolicy.AUTO;
        }
    }

    public static ScoringOptions defaults() {
        return new ScoringOptions(DEFAULT_BATCH_SIZE, NullPolicy.NULL_PREDICTION, DevicePolicy.AUTO);
    }

    public ScoringOptions withBatchSize(int n) {
        return new ScoringOptions(n, nullPolicy, device);
    }

    public ScoringOptions withNullPolicy(NullPolicy p) {
        return new ScoringOptions(batchSize, p, device);
    }

    public ScoringOptions withDevice(DevicePolicy d) {
        return new ScoringOptions(batchSize, nullPolicy, d);
    }
}
