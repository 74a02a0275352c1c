package dev.millrace.udfs.spark;

import dev.millrace.udfs.InferenceStats;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

import java.io.Serializable;

/**
 * The Spark accumulators behind {@link InferenceStats}: registered on the driver when a scoring plan is made,
 * added to by tasks once per batch, read back by the caller after its action.
 */
public final class InferenceMetrics implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String model;
    private final int batchSize;
    private final LongAccumulator rows;
    private final LongAccumulator scoredRows;
    private final LongAccumulator nullRows;
    private final LongAccumulator batches;
    private final LongAccumulator inferenceNanos;
    private final LongAccumulator modelLoads;
    private final LongAccumulator modelLoadNanos;

    public InferenceMetrics(SparkContext sc, String model, int batchSize) {
        this.model = model;
        this.batchSize = batchSize;
        String p = "millrace.udfs." + model + ".";
        rows = sc.longAccumulator(p + "rows");
        scoredRows = sc.longAccumulator(p + "scoredRows");
        nullRows = sc.longAccumulator(p + "nullRows");
        batches = sc.longAccumulator(p + "batches");
        inferenceNanos = sc.longAccumulator(p + "inferenceNanos");
        modelLoads = sc.longAccumulator(p + "modelLoads");
        modelLoadNanos = sc.longAccumulator(p + "modelLoadNanos");
    }

    void addBatch(int rowsRead, int scored, long nanos) {
        rows.add(rowsRead);
        scoredRows.add(scored);
        nullRows.add(rowsRead - scored);
        if (scored > 0) {
            batches.add(1);
            inferenceNanos.add(nanos);
        }
    }

    void addLoad(long nanos) {
        modelLoads.add(1);
        modelLoadNanos.add(nanos);
    }

    public InferenceStats snapshot() {
        long b = batches.value();
        double fill = b == 0 ? 0 : scoredRows.value() / (double) (b * batchSize);
        return new InferenceStats(model, rows.value(), scoredRows.value(), nullRows.value(), b, fill, inferenceNanos.value(),
                modelLoads.value(), modelLoadNanos.value());
    }
}
