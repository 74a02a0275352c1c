package dev.millrace.udfs.spark;

import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import scala.collection.immutable.Seq;

/** Plans {@link ModelInferenceNode} as {@link ModelInferenceExec}; installed by {@code MillraceUdfs.install}. */
public final class ModelInferenceStrategy extends SparkStrategy {

    @Override
    public Seq<SparkPlan> apply(LogicalPlan plan) {
        if (plan instanceof ModelInferenceNode n) {
            return Seqs.of(new ModelInferenceExec(n.scoring(), n.inputs(), n.outputAttrs(), planLater(n.child())));
        }
        return Seqs.of();
    }
}
