package dev.millrace.udfs;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.translate.NoopTranslator;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.udfs.bench.MlpBlockFactory;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** A PyTorch-engine MLP built by the project with DJL: saved as params, loaded by the UDF, same predictions. */
class PyTorchRoundTripTest {

    private final SparkSession spark = SharedSpark.session();

    @Test
    void savedParamsGiveTheSamePredictionsInSpark(@TempDir Path dir) throws Exception {
        int rows = 50;
        float[][] features = new float[rows][8];
        Random rnd = new Random(7);
        for (float[] f : features) {
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) rnd.nextGaussian();
            }
        }
        float[] expected = new float[rows];
        try (Model model = Model.newInstance("mlp", "PyTorch")) {
            SequentialBlock block = MlpBlockFactory.mlp(8, 16, 3);
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 8));
            model.save(dir, "mlp");
            expected = new float[rows * 3];
            try (Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator());
                 NDManager m = NDManager.newBaseManager("PyTorch")) {
                for (int r = 0; r < rows; r++) {
                    NDArray out = p.predict(new NDList(m.create(features[r], new Shape(1, 8)))).singletonOrThrow();
                    System.arraycopy(out.toFloatArray(), 0, expected, r * 3, 3);
                }
            }
        }
        ModelRef ref = ModelRef.builder("mlp-pt", "1").engine(ModelEngine.PYTORCH).location(dir.toString())
                .input(InputSpec.of("features", null, 8))
                .output(null, "scores", OutputKind.VECTOR)
                .option("blockFactory", MlpBlockFactory.class.getName()).option("layers", "8,16,3")
                .build();
        List<Row> input = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            input.add(RowFactory.create((long) r, TestModels.boxed(features[r])));
        }

        List<Row> scored = new ArrayList<>(ModelScorer.create(spark, ref, ScoringOptions.defaults().withBatchSize(16))
                .transform(spark.createDataFrame(input, TestModels.FEATURES).repartition(3)).collectAsList());
        scored.sort(Comparator.comparingLong(r -> r.getLong(0)));

        assertThat(scored).hasSize(rows);
        for (Row r : scored) {
            int i = (int) r.getLong(0);
            float[] want = java.util.Arrays.copyOfRange(expected, i * 3, i * 3 + 3);
            assertThat(TestModels.floats(r, "scores")).containsExactly(want, within(1e-6f));
        }
    }
}
