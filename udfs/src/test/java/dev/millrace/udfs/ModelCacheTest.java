package dev.millrace.udfs;

import dev.millrace.core.spark.SharedSpark;
import dev.millrace.udfs.runtime.ModelCache;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The model is loaded once per JVM, however many partitions, tasks and actions use it. */
class ModelCacheTest {

    private final SparkSession spark = SharedSpark.session();

    @Test
    void loadedOncePerJvmAcrossPartitionsAndTasks() {
        ModelRef ref = TestModels.voice("voice-cache-once");
        ModelScorer scorer = ModelScorer.create(spark, ref);
        float[] features = TestModels.voiceTensor("input_0.pb").data();

        long first = scorer.transform(TestModels.repeat(spark, features, 400, 16)).count();
        long second = new DjlModelTransformer(ref).transform(TestModels.repeat(spark, features, 100, 8))
                .selectExpr("sum(scores[0])").count();

        assertThat(first).isEqualTo(400);
        assertThat(second).isEqualTo(1);
        assertThat(scorer.stats().rows()).isEqualTo(400);
        assertThat(scorer.stats().batches()).isGreaterThanOrEqualTo(16);
        assertThat(ModelCache.global().loadCount(ref.name(), ref.version())).isEqualTo(1);
    }
}
