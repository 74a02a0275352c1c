package dev.millrace.udfs.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import dev.millrace.udfs.InferenceStats;
import dev.millrace.udfs.InputSpec;
import dev.millrace.udfs.ModelEngine;
import dev.millrace.udfs.ModelRef;
import dev.millrace.udfs.ModelScorer;
import dev.millrace.udfs.OutputKind;
import dev.millrace.udfs.ScoringOptions;
import dev.millrace.udfs.onnx.OnnxMlpWriter;
import dev.millrace.udfs.runtime.BatchResult;
import dev.millrace.udfs.runtime.FeatureBatch;
import dev.millrace.udfs.runtime.ModelArtifact;
import dev.millrace.udfs.runtime.ModelCache;
import dev.millrace.udfs.runtime.ModelSignature;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The udf benchmark: N rows x 32 float features through a small MLP (32-64-32-1), batch 1024, in local[2], with
 * the UDF (Dataset API over a cached Dataset, written to Spark's noop sink) against a plain DJL loop over the same
 * rows (in a float[][]), the same loaded model, translator and thread settings (2 threads, one predictor each, one
 * engine thread per call), in the same run, for ONNX Runtime and PyTorch. Medians of alternating rounds after a
 * warm-up (5 rounds by default). Last line: {@code udf ratio=X ...}, X the lower of the two engines' ratios.
 * Usage: UdfBench [rows] [rounds]
 */
public final class UdfBench {

    private static final int FEATURES = 32;
    private static final int[] LAYERS = {FEATURES, 64, 32, 1};
    private static final int BATCH = 1024;
    private static final int THREADS = 2;

    private UdfBench() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("millrace-udf-bench-");
        SparkSession spark = SparkSession.builder().master("local[" + THREADS + "]").appName("udf-bench")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", String.valueOf(THREADS))
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        try {
            float[][] data = features(rows);
            Dataset<Row> cached = spark.range(0, rows, 1, THREADS).selectExpr("id", featuresExpr())
                    .persist(StorageLevel.MEMORY_ONLY());
            System.out.printf("udf-bench: %d rows x %d features, cached in %d partitions: %d rows%n", rows, FEATURES, THREADS, cached.count());
            checkSameData(cached, data);
            Dataset<Row> inMemory = inMemoryRows(spark, cached);

            List<String> figures = new ArrayList<>();
            double onnx = compare(spark, inMemory, cached, data, onnxRef(dir), rounds, "onnx", figures);
            double torch = compare(spark, inMemory, cached, data, torchRef(dir), rounds, "pytorch", figures);
            StringJoiner line = new StringJoiner(" ");
            line.add(String.format(Locale.ROOT, "udf ratio=%.2f", Math.min(onnx, torch)));
            figures.forEach(line::add);
            line.add("rows=" + rows).add("batch=" + BATCH).add("threads=" + THREADS).add("synapseml=not_run");
            System.out.println(line);
        } finally {
            spark.stop();
        }
    }

    /**
     * The same rows as Spark's own in-memory rows (a persisted RDD of UnsafeRows, like the loop's float[][]), so that
     * the comparison measures the UDF rather than the decoding of Spark's columnar cache, which is reported apart.
     */
    private static Dataset<Row> inMemoryRows(SparkSession spark, Dataset<Row> cached) {
        org.apache.spark.api.java.JavaRDD<org.apache.spark.sql.catalyst.InternalRow> rows = cached.queryExecution().toRdd().toJavaRDD()
                .map(org.apache.spark.sql.catalyst.InternalRow::copy).persist(StorageLevel.MEMORY_ONLY());
        System.out.printf("udf-bench: %d rows as in-memory UnsafeRows%n", rows.count());
        return ((org.apache.spark.sql.classic.SparkSession) spark).internalCreateDataFrame(rows.rdd(), cached.schema(), false);
    }

    private static double compare(SparkSession spark, Dataset<Row> df, Dataset<Row> cached, float[][] data, ModelRef ref, int rounds,
                                  String tag, List<String> figures) throws Exception {
        ModelScorer scorer = ModelScorer.create(spark, ref, ScoringOptions.defaults().withBatchSize(BATCH));
        ModelArtifact artifact = ModelArtifact.read(ref.location(), spark.sparkContext().hadoopConfiguration());
        ModelSignature signature = ModelSignature.resolve(ref, artifact);
        try (ModelCache.Lease lease = ModelCache.global().acquire(ref, signature, artifact, Device.cpu())) {
            double loopSum = plainLoop(lease, data);  // warm-up, both sides
            double sparkSum = sparkRun(scorer, df);
            System.out.printf(Locale.ROOT, "%s warm-up: checksum loop=%.4f spark=%.4f%n", tag, loopSum, sparkSum);
            double[] loop = new double[rounds];
            double[] udf = new double[rounds];
            double[] ratio = new double[rounds];
            double[] cachedRatio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                plainLoop(lease, data);
                loop[r] = data.length / ((System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                sparkRun(scorer, df);
                udf[r] = data.length / ((System.nanoTime() - t0) / 1e9);
                ratio[r] = udf[r] / loop[r];
                t0 = System.nanoTime();
                sparkRun(scorer, cached);
                cachedRatio[r] = data.length / ((System.nanoTime() - t0) / 1e9) / loop[r];
                System.out.printf(Locale.ROOT, "%s round %d: plain DJL loop %.0f rows/s, Spark UDF %.0f rows/s, ratio %.2f (from Spark's columnar cache %.2f)%n",
                        tag, r + 1, loop[r], udf[r], ratio[r], cachedRatio[r]);
            }
            // Each round's two runs are back to back, so their ratio is the least exposed to the machine's load drifting.
            double l = median(loop);
            double u = median(udf);
            double q = median(ratio);
            InferenceStats stats = scorer.stats();
            System.out.printf(Locale.ROOT, "%s: %s%n", tag, stats);
            figures.add(String.format(Locale.ROOT, "%s_ratio=%.2f %s_udf_rows_s=%.0f %s_loop_rows_s=%.0f %s_cached_source_ratio=%.2f %s_fill=%.3f",
                    tag, q, tag, u, tag, l, tag, median(cachedRatio), tag, stats.averageBatchFill()));
            return q;
        }
    }

    private static double sparkRun(ModelScorer scorer, Dataset<Row> df) {
        scorer.transform(df).write().format("noop").mode("overwrite").save();  // every row and column, written nowhere
        return Double.NaN;
    }

    /** The baseline: THREADS threads, each over its half of the rows, batch by batch through the same model. */
    private static double plainLoop(ModelCache.Lease lease, float[][] data) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Double>> parts = new ArrayList<>();
            int per = (data.length + THREADS - 1) / THREADS;
            for (int t = 0; t < THREADS; t++) {
                int from = t * per;
                int to = Math.min(data.length, from + per);
                parts.add(pool.submit(() -> {
                    FeatureBatch batch = new FeatureBatch(BATCH, new int[] {FEATURES});
                    float[] buf = batch.buffer(0);
                    double sum = 0;
                    for (int start = from; start < to; start += BATCH) {
                        int n = Math.min(BATCH, to - start);
                        for (int i = 0; i < n; i++) {
                            System.arraycopy(data[start + i], 0, buf, i * FEATURES, FEATURES);
                        }
                        batch.setRows(n);
                        BatchResult out = lease.model().predict(batch);
                        sum += out.floats(0)[0];
                    }
                    return sum;
                }));
            }
            double sum = 0;
            for (Future<Double> f : parts) {
                sum += f.get();
            }
            return sum;
        } finally {
            pool.shutdown();
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Feature c of row r, computed identically in Java and Spark SQL (exact in float). */
    private static float feature(long r, int c) {
        return (float) (((r * 31 + c * 17) % 1000) / 1000.0 - 0.5);
    }

    private static String featuresExpr() {
        StringJoiner j = new StringJoiner(", ", "array(", ") AS features");
        for (int c = 0; c < FEATURES; c++) {
            j.add("CAST(((id * 31 + " + (c * 17) + ") % 1000) / 1000.0D - 0.5D AS FLOAT)");
        }
        return j.toString();
    }

    private static float[][] features(int rows) {
        float[][] out = new float[rows][FEATURES];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < FEATURES; c++) {
                out[r][c] = feature(r, c);
            }
        }
        return out;
    }

    private static void checkSameData(Dataset<Row> df, float[][] data) {
        for (Row row : df.orderBy("id").limit(3).collectAsList()) {
            List<Float> f = row.getList(1);
            for (int c = 0; c < FEATURES; c++) {
                if (f.get(c) != data[(int) row.getLong(0)][c]) {
                    throw new IllegalStateException("Spark and Java features differ at row " + row.getLong(0) + " col " + c);
                }
            }
        }
    }

    private static ModelRef onnxRef(Path dir) throws Exception {
        Path file = dir.resolve("mlp.onnx");
        Files.write(file, OnnxMlpWriter.write(LAYERS, null, 42));
        return ModelRef.builder("bench-mlp-onnx", "1").engine(ModelEngine.ONNX_RUNTIME).location(file.toString())
                .input("features").output("score", "score", OutputKind.SCALAR)
                .option("intraOpNumThreads", "1").option("interOpNumThreads", "1")
                .build();
    }

    private static ModelRef torchRef(Path dir) throws Exception {
        Path modelDir = dir.resolve("mlp-pt");
        try (Model model = Model.newInstance("mlp", "PyTorch")) {
            SequentialBlock block = MlpBlockFactory.mlp(LAYERS);
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, FEATURES));
            Files.createDirectories(modelDir);
            model.save(modelDir, "mlp");
        }
        String layers = Arrays.stream(LAYERS).mapToObj(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow();
        return ModelRef.builder("bench-mlp-pt", "1").engine(ModelEngine.PYTORCH).location(modelDir.toString())
                .input(InputSpec.of("features", null, FEATURES)).output(null, "score", OutputKind.SCALAR)
                .option("blockFactory", MlpBlockFactory.class.getName()).option("layers", layers)
                .build();
    }
}
