package dev.millrace.udfs.spark;

import dev.millrace.udfs.ModelRef;
import dev.millrace.udfs.ScoringOptions;
import dev.millrace.udfs.runtime.ModelArtifact;
import dev.millrace.udfs.runtime.ModelSignature;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;

import java.io.Serializable;

/**
 * Everything a task needs to score, made and checked once on the driver: the reference, options, resolved
 * signature, the model bytes as a broadcast, the metrics accumulators, the input columns' types and the output fields.
 */
public record ScoringPlan(ModelRef ref, ScoringOptions options, ModelSignature signature, Broadcast<ModelArtifact> artifact,
                          InferenceMetrics metrics, DataType[] inputTypes, StructField[] outputFields) implements Serializable {

    /** Rows per model call: the requested batch size, or the model's fixed batch dimension. */
    public int batchSize() {
        return signature.batchSize(options.batchSize());
    }

    @Override
    public String toString() {
        return ref.id() + " (" + ref.engine().djlName() + ", batch " + batchSize() + ")";
    }
}
