package dev.millrace.udfs;

import dev.millrace.core.spark.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The input columns come out unchanged beside the predictions, whatever their layout in Spark's binary rows: strings,
 * nested arrays, wide decimals (stored out of line, null ones included) and nulls before and after the features,
 * on the fixed-width output path (predictions written into the copied rows) and the general one.
 */
class PassThroughColumnsTest {

    private final SparkSession spark = SharedSpark.session();

    @Test
    void inputColumnsSurviveBesideFixedWidthAndVectorOutputs() {
        float[] voice = TestModels.voiceTensor("input_0.pb").data();
        StructType schema = new StructType()
                .add("name", DataTypes.StringType)
                .add("wide", DataTypes.createDecimalType(38, 4))
                .add("features", DataTypes.createArrayType(DataTypes.FloatType, true))
                .add("tags", DataTypes.createArrayType(DataTypes.StringType))
                .add("narrow", DataTypes.createDecimalType(10, 2))
                .add("id", DataTypes.LongType);
        List<Row> input = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            float[] v = voice.clone();
            v[i % v.length] += i / 100f;
            input.add(RowFactory.create(
                    i % 3 == 0 ? null : "name-" + "x".repeat(i),
                    i % 4 == 0 ? null : new BigDecimal("12345678901234567890123." + (1000 + i)),
                    i % 7 == 5 ? null : TestModels.boxed(v),
                    i % 5 == 0 ? null : List.of("a" + i, "bb" + i),
                    new BigDecimal(i + ".25"),
                    (long) i));
        }
        Dataset<Row> df = spark.createDataFrame(input, schema).repartition(3);
        ModelRef fixedRef = ModelRef.builder("voice-pass-fixed", "1").engine(ModelEngine.ONNX_RUNTIME)
                .location(TestModels.voice("x").location()).input("features")
                .output("dense_1", "first", OutputKind.SCALAR).output("dense_1", "best", OutputKind.ARGMAX).build();

        List<Row> fixed = ModelScorer.create(spark, fixedRef, ScoringOptions.defaults().withBatchSize(8))
                .transform(df).orderBy("id").collectAsList();
        List<Row> vectors = ModelScorer.create(spark, TestModels.voice("voice-pass-vector"), ScoringOptions.defaults().withBatchSize(8))
                .transform(df).orderBy("id").collectAsList();

        assertThat(fixed).hasSize(input.size());
        for (int i = 0; i < input.size(); i++) {
            Row in = input.get(i);
            Row f = fixed.get(i);
            Row v = vectors.get(i);
            for (int c = 0; c < schema.size(); c++) {
                assertThat(f.get(c)).as("row %d column %s", i, schema.fields()[c].name()).isEqualTo(normalize(in.get(c)));
                assertThat(v.get(c)).as("row %d column %s", i, schema.fields()[c].name()).isEqualTo(normalize(in.get(c)));
            }
            if (in.isNullAt(2)) {
                assertThat(f.isNullAt(6)).isTrue();
                assertThat(f.isNullAt(7)).isTrue();
                assertThat(v.isNullAt(6)).isTrue();
            } else {
                float[] scores = TestModels.floats(v, "scores");
                int best = 0;
                for (int k = 1; k < scores.length; k++) {
                    best = scores[k] > scores[best] ? k : best;
                }
                assertThat(f.getFloat(6)).isEqualTo(scores[0]);
                assertThat(f.getInt(7)).isEqualTo(best);
            }
        }
    }

    /** Spark hands arrays back as Scala sequences; compare them as Java lists. */
    private static Object normalize(Object value) {
        return value instanceof List<?> l ? scala.jdk.javaapi.CollectionConverters.asScala(l).toSeq() : value;
    }
}
