package dev.millrace.udfs;

import dev.millrace.core.spark.SharedSpark;
import dev.millrace.udfs.onnx.OnnxTensors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shared test models (../shared/data/models) and their reference data, read as data. */
final class TestModels {

    static final StructType FEATURES = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), true);

    private TestModels() {
    }

    static Path models() {
        return SharedSpark.sharedData().resolve("models");
    }

    static ModelRef mnist(String name) {
        return ModelRef.builder(name, "1").engine(ModelEngine.ONNX_RUNTIME)
                .location(models().resolve("onnx-mlir-mnist/mnist.onnx").toString())
                .input(InputSpec.of("features", "image"))
                .output("prediction", "probabilities", OutputKind.VECTOR)
                .output("prediction", "digit", OutputKind.ARGMAX)
                .build();
    }

    static ModelRef voice(String name) {
        return ModelRef.builder(name, "1").engine(ModelEngine.ONNX_RUNTIME)
                .location(models().resolve("ort-test-voice-commands/model.onnx").toString())
                .input("features")
                .output("dense_1", "scores", OutputKind.VECTOR)
                .build();
    }

    /** The 784 floats of {@code img_data} in onnx-mlir's Mnist.java. */
    static float[] mnistImage() {
        try {
            String src = Files.readString(models().resolve("onnx-mlir-mnist/Mnist.java"));
            int start = src.indexOf("img_data = {");
            String body = src.substring(src.indexOf('{', start) + 1, src.indexOf("};", start));
            Matcher m = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?f").matcher(body);
            List<Float> values = new ArrayList<>();
            while (m.find()) {
                values.add(Float.parseFloat(m.group()));
            }
            float[] out = new float[values.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = values.get(i);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static OnnxTensors.FloatTensor voiceTensor(String file) {
        try {
            return OnnxTensors.readFloatTensor(Files.readAllBytes(models().resolve("ort-test-voice-commands/test_data_set_0/" + file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Float> boxed(float[] v) {
        List<Float> out = new ArrayList<>(v.length);
        for (float f : v) {
            out.add(f);
        }
        return out;
    }

    /** {@code n} rows (id, features) of the same vector, in {@code partitions} partitions. */
    static Dataset<Row> repeat(SparkSession spark, float[] vector, int n, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            rows.add(RowFactory.create(i, boxed(vector)));
        }
        return spark.createDataFrame(rows, FEATURES).repartition(partitions);
    }

    static float[] floats(Row row, String column) {
        List<Float> list = row.getList(row.fieldIndex(column));
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }
}
