package dev.millrace.udfs;

import dev.millrace.core.spark.SharedSpark;
import dev.millrace.udfs.runtime.ModelException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Bad input fails early with a message naming the column or file, or gives null predictions when asked to. */
class BadInputTest {

    private final SparkSession spark = SharedSpark.session();
    private final float[] voice = TestModels.voiceTensor("input_0.pb").data();

    @Test
    void wrongColumnTypeFailsBeforeAnyData() {
        StructType schema = new StructType().add("id", DataTypes.LongType).add("features", DataTypes.StringType);
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create(1L, "1,2,3")), schema);
        ModelScorer scorer = ModelScorer.create(spark, TestModels.voice("voice-bad-type"));

        assertThatThrownBy(() -> scorer.transform(df)).isInstanceOf(ModelException.class)
                .hasMessageContaining("column 'features' has type string").hasMessageContaining("array<float>")
                .hasMessageContaining("length 6");
        assertThat(scorer.stats().rows()).isZero();
        df.createOrReplaceTempView("bad_type");
        scorer.registerFunction("voice_bad_type");
        assertThatThrownBy(() -> spark.sql("SELECT voice_bad_type(features) FROM bad_type"))
                .hasMessageContaining("column 'features' has type string");
    }

    @Test
    void missingColumnIsNamed() {
        Dataset<Row> df = TestModels.repeat(spark, voice, 1, 1).withColumnRenamed("features", "x");
        assertThatThrownBy(() -> ModelScorer.create(spark, TestModels.voice("voice-missing-col")).transform(df))
                .hasMessageContaining("needs column 'features'");
    }

    @Test
    void wrongVectorLengthNamesColumnAndLength() {
        Dataset<Row> df = TestModels.repeat(spark, Arrays.copyOf(voice, 5), 3, 1);
        Dataset<Row> scored = ModelScorer.create(spark, TestModels.voice("voice-bad-length")).transform(df);

        assertThatThrownBy(scored::collectAsList)
                .hasStackTraceContaining("column features holds a vector of length 5 but the model expects 6");
    }

    @Test
    void nullAndNanVectorsGiveNullPredictions() {
        float[] nan = voice.clone();
        nan[2] = Float.NaN;
        Dataset<Row> df = spark.createDataFrame(List.of(
                RowFactory.create(1L, TestModels.boxed(voice)),
                RowFactory.create(2L, null),
                RowFactory.create(3L, TestModels.boxed(nan))), TestModels.FEATURES).coalesce(1);
        ModelScorer scorer = ModelScorer.create(spark, TestModels.voice("voice-nulls"));

        List<Row> rows = scorer.transform(df).orderBy("id").collectAsList();

        assertThat(rows.get(0).isNullAt(2)).isFalse();
        assertThat(rows.get(1).isNullAt(2)).isTrue();
        assertThat(rows.get(2).isNullAt(2)).isTrue();
        assertThat(scorer.stats().nullRows()).isGreaterThanOrEqualTo(2);

        // Fixed-width outputs take the in-place path: same nulls, and the scored row still gets its values.
        List<Row> fixed = ModelScorer.create(spark, ModelRef.builder("voice-nulls-fixed", "1").engine(ModelEngine.ONNX_RUNTIME)
                .location(TestModels.voice("x").location()).input("features").output("dense_1", "first", OutputKind.SCALAR)
                .output("dense_1", "best", OutputKind.ARGMAX).build()).transform(df).orderBy("id").collectAsList();
        float[] expected = TestModels.voiceTensor("output_0.pb").data();
        int best = 0;
        for (int i = 1; i < expected.length; i++) {
            best = expected[i] > expected[best] ? i : best;
        }
        assertThat(fixed.get(0).getFloat(2)).isCloseTo(expected[0], within(1e-5f));
        assertThat(fixed.get(0).getInt(3)).isEqualTo(best);
        assertThat(fixed.get(0).getList(1)).hasSize(6);
        assertThat(fixed.get(1).isNullAt(2)).isTrue();
        assertThat(fixed.get(1).isNullAt(3)).isTrue();
        assertThat(fixed.get(2).isNullAt(2)).isTrue();
        assertThat(fixed.get(2).getLong(0)).isEqualTo(3L);
    }

    @Test
    void nullVectorsFailWhenAsked() {
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create(1L, TestModels.boxed(voice)), RowFactory.create(2L, null)),
                TestModels.FEATURES).coalesce(1);
        Dataset<Row> scored = ModelScorer.create(spark, TestModels.voice("voice-null-fail"),
                ScoringOptions.defaults().withNullPolicy(NullPolicy.FAIL)).transform(df);

        assertThatThrownBy(scored::collectAsList)
                .hasStackTraceContaining("column features is null or holds a null or NaN at row 1")
                .hasStackTraceContaining("null policy FAIL");
    }

    @Test
    void truncatedModelFileFailsAtCreateNamingTheFile(@TempDir Path dir) throws Exception {
        byte[] full = Files.readAllBytes(TestModels.models().resolve("onnx-mlir-mnist/mnist.onnx"));
        Path truncated = dir.resolve("mnist-truncated.onnx");
        Files.write(truncated, Arrays.copyOf(full, full.length / 2));
        ModelRef ref = TestModels.mnist("mnist-truncated").toBuilder().location(truncated.toString()).build();

        assertThatThrownBy(() -> ModelScorer.create(spark, ref)).isInstanceOf(ModelException.class)
                .hasMessageContaining(truncated.toString()).hasMessageContaining("truncated");
    }

    @Test
    void missingModelFileIsNamed(@TempDir Path dir) {
        String missing = dir.resolve("nope.onnx").toString();
        ModelRef ref = TestModels.voice("voice-missing").toBuilder().location(missing).build();

        assertThatThrownBy(() -> ModelScorer.create(spark, ref)).isInstanceOf(ModelException.class)
                .hasMessageContaining("model file not found: " + missing);
    }

    @Test
    void mappingThatDoesNotFitTheModelIsRejected() {
        ModelRef wrongOutput = ModelRef.builder("voice-bad-map", "1").engine(ModelEngine.ONNX_RUNTIME)
                .location(TestModels.voice("x").location()).input("features").output("nope", "s", OutputKind.VECTOR).build();
        ModelRef wrongShape = ModelRef.builder("voice-bad-shape", "1").engine(ModelEngine.ONNX_RUNTIME)
                .location(TestModels.voice("x").location()).input(InputSpec.of("features", "input_1", 7))
                .output("dense_1", "s", OutputKind.VECTOR).build();

        assertThatThrownBy(() -> ModelScorer.create(spark, wrongOutput)).hasMessageContaining("has no output 'nope'")
                .hasMessageContaining("dense_1");
        assertThatThrownBy(() -> ModelScorer.create(spark, wrongShape)).hasMessageContaining("column features")
                .hasMessageContaining("[7]").hasMessageContaining("[6]");
    }
}
