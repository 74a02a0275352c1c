package dev.millrace.udfs;

import dev.millrace.core.spark.SharedSpark;
import dev.millrace.udfs.onnx.OnnxTensors;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Models made by others (onnx-mlir's mnist, ONNX Runtime's voice commands) through all call styles. */
class OnnxModelsTest {

    private final SparkSession spark = SharedSpark.session();

    @Test
    void mnistThroughTheDatasetApi() {
        ModelScorer scorer = ModelScorer.create(spark, TestModels.mnist("mnist-ds"));
        // No orderBy here: a sort samples its input first, which runs the model twice and counts twice.
        List<Row> rows = scorer.transform(TestModels.repeat(spark, TestModels.mnistImage(), 3, 2)).collectAsList();

        assertThat(TestModels.mnistImage()).hasSize(784);
        assertThat(rows).hasSize(3);
        for (Row r : rows) {
            assertMnist(r);
        }
        InferenceStats stats = scorer.stats();
        assertThat(stats.rows()).isEqualTo(3);
        assertThat(stats.batches()).isEqualTo(3); // the model's batch dimension is fixed at 1
        assertThat(stats.averageBatchFill()).isEqualTo(1.0);
    }

    @Test
    void mnistThroughSql() {
        MillraceUdfs.registerModel(spark, "mnist", ModelScorer.create(spark, TestModels.mnist("mnist-sql")));
        TestModels.repeat(spark, TestModels.mnistImage(), 2, 1).createOrReplaceTempView("digits");

        List<Row> rows = spark.sql("SELECT id, predict('mnist', features) AS p FROM digits ORDER BY id").collectAsList();

        assertThat(rows).hasSize(2);
        Row p = rows.get(0).getStruct(1);
        assertMnist(p);
        assertThat(spark.sql("SELECT predict('mnist', features) FROM digits").queryExecution().executedPlan().toString())
                .contains("ModelInference");
    }

    @Test
    void mnistThroughAPipelineSavedAndLoaded(@TempDir Path dir) throws Exception {
        DjlModelTransformer transformer = new DjlModelTransformer(TestModels.mnist("mnist-ml")).setBatchSize(64);
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {transformer}).fit(TestModels.repeat(spark, TestModels.mnistImage(), 1, 1));
        String path = dir.resolve("pipeline").toString();
        model.write().overwrite().save(path);

        PipelineModel loaded = PipelineModel.load(path);
        DjlModelTransformer stage = (DjlModelTransformer) loaded.stages()[0];
        List<Row> rows = loaded.transform(TestModels.repeat(spark, TestModels.mnistImage(), 2, 2)).collectAsList();

        assertThat(stage.getModelRef()).isEqualTo(TestModels.mnist("mnist-ml"));
        assertThat(stage.getOptions().batchSize()).isEqualTo(64);
        assertThat(rows).hasSize(2).allSatisfy(OnnxModelsTest::assertMnist);
        assertThat(stage.lastStats().rows()).isEqualTo(2);
    }

    @Test
    void voiceCommandsThroughAllThreeStyles() {
        OnnxTensors.FloatTensor input = TestModels.voiceTensor("input_0.pb");
        OnnxTensors.FloatTensor expected = TestModels.voiceTensor("output_0.pb");
        assertThat(input.data()).hasSize(6);
        assertThat(expected.data()).hasSize(26);
        Dataset<Row> df = TestModels.repeat(spark, input.data(), 4, 2);

        ModelScorer scorer = ModelScorer.create(spark, TestModels.voice("voice"));
        float[] viaApi = TestModels.floats(scorer.transform(df).first(), "scores");
        float[] viaMl = TestModels.floats(new DjlModelTransformer(TestModels.voice("voice")).transform(df).first(), "scores");
        scorer.registerFunction("voice_scores");
        df.createOrReplaceTempView("voice_input");
        List<Row> sqlRows = spark.sql("SELECT voice_scores(features) AS s FROM voice_input").collectAsList();
        float[] viaSql = TestModels.floats(sqlRows.get(0), "s");

        for (float[] got : List.of(viaApi, viaMl, viaSql)) {
            assertThat(got).containsExactly(expected.data(), within(1e-5f));
        }
        assertThat(sqlRows).hasSize(4);
    }

    @Test
    void streamingDatasetsAreScored(@TempDir Path dir) throws Exception {
        OnnxTensors.FloatTensor input = TestModels.voiceTensor("input_0.pb");
        OnnxTensors.FloatTensor expected = TestModels.voiceTensor("output_0.pb");
        String source = dir.resolve("in").toString();
        TestModels.repeat(spark, input.data(), 5, 2).write().parquet(source);
        Dataset<Row> stream = spark.readStream().schema(TestModels.FEATURES).parquet(source);
        assertThat(stream.isStreaming()).isTrue();

        Dataset<Row> scored = ModelScorer.create(spark, TestModels.voice("voice-stream")).transform(stream);
        StreamingQuery q = scored.writeStream().format("memory").queryName("voice_scored")
                .option("checkpointLocation", dir.resolve("ckpt").toString()).trigger(Trigger.AvailableNow()).start();
        q.awaitTermination();

        List<Row> rows = spark.table("voice_scored").collectAsList();
        assertThat(rows).hasSize(5);
        assertThat(TestModels.floats(rows.get(0), "scores")).containsExactly(expected.data(), within(1e-5f));
    }

    static void assertMnist(Row r) {
        float[] p = TestModels.floats(r, "probabilities");
        assertThat(r.<Integer>getAs("digit")).isEqualTo(0);
        assertThat(p).hasSize(10);
        assertThat(p[0]).isCloseTo(0.9999999f, within(1e-6f));
        assertThat(p[5]).isCloseTo(1.6361314e-07f, within(1e-9f));
    }
}
