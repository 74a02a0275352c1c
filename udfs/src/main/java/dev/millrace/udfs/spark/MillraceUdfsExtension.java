package dev.millrace.udfs.spark;

import org.apache.spark.sql.SparkSessionExtensions;
import scala.Function1;
import scala.runtime.BoxedUnit;

/**
 * Installs the model-inference planner strategy and optimizer rule through Spark's extension point:
 * {@code spark.sql.extensions=dev.millrace.udfs.spark.MillraceUdfsExtension} (comma-separated after Delta's).
 * Sessions without it get the same through {@code MillraceUdfs.install(spark)}, which every call style runs.
 */
public final class MillraceUdfsExtension implements Function1<SparkSessionExtensions, BoxedUnit> {

    @Override
    public BoxedUnit apply(SparkSessionExtensions ext) {
        ext.injectPlannerStrategy(session -> new ModelInferenceStrategy());
        ext.injectOptimizerRule(session -> new ExtractModelPredictions());
        return BoxedUnit.UNIT;
    }
}
