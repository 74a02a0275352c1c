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
 * the UDF (Dataset API, every row and column written to Spark's noop sink) against a plain DJL loop over the same
 * rows (in a float[][]), the same loaded model, translator and thread settings (2 threads, one predictor each, one
 * engine thread per call), in the same run, for ONNX Runtime and PyTorch. Spark reads the rows three ways: its own
 * rows in memory (the headline ratio), its columnar cache and a Parquet file; each round also times Spark reading
 * and writing the rows without the model, which bounds the ratio any operator can reach. Medians of back-to-back
 * rounds after a warm-up (3 passes over every path; 5 rounds by default), by wall clock and by the process's CPU
 * time per row (steadier on a shared machine). Last line: {@code udf ratio=X ...}, X the lower of the two
 * engines' in-memory ratios. Usage: UdfBench [rows] [rounds]
 */
public final class UdfBench {

    private static final int FEATURES = 32;
    private static final int[] LAYERS = {FEATURES, 64, 32, 1};
    private static final int BATCH = 1024;
    private static final int THREADS = 2;
    private static final int WARMUP = Integer.getInteger("millrace.bench.udf.warmup", 3);

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
            String parquetPath = dir.resolve("features.parquet").toString();
            cached.write().parquet(parquetPath);
            Dataset<Row> parquet = spark.read().parquet(parquetPath);
            checkSameData(parquet, data);
            Sources sources = new Sources(inMemory, cached, parquet);

            List<String> figures = new ArrayList<>();
            double onnx = compare(spark, sources, data, onnxRef(dir), rounds, "onnx", figures);
            double torch = compare(spark, sources, data, torchRef(dir), rounds, "pytorch", figures);
            StringJoiner line = new StringJoiner(" ");
            line.add(String.format(Locale.ROOT, "udf ratio=%.2f", Math.min(onnx, torch)));
            figures.forEach(line::add);
            line.add("rows=" + rows).add("batch=" + BATCH).add("threads=" + THREADS).add("peer=bench/run udf-peer");
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

    /** The same rows three ways: Spark's own rows in memory (the headline), Spark's columnar cache, a Parquet file. */
    private record Sources(Dataset<Row> inMemory, Dataset<Row> cached, Dataset<Row> parquet) {
    }

    /** Rows/s, wall clock, and process CPU nanoseconds per row of one run. */
    private record Run(double rowsPerSecond, double cpuNanosPerRow) {
    }

    private static Run timed(int rows, ThrowingRunnable body) throws Exception {
        long c0 = processCpuNanos();
        long t0 = System.nanoTime();
        body.run();
        long t1 = System.nanoTime();
        long c1 = processCpuNanos();
        return new Run(rows / ((t1 - t0) / 1e9), (c1 - c0) / (double) rows);
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double compare(SparkSession spark, Sources src, float[][] data, ModelRef ref, int rounds,
                                  String tag, List<String> figures) throws Exception {
        ModelScorer scorer = ModelScorer.create(spark, ref, ScoringOptions.defaults().withBatchSize(BATCH));
        ModelArtifact artifact = ModelArtifact.read(ref.location(), spark.sparkContext().hadoopConfiguration());
        ModelSignature signature = ModelSignature.resolve(ref, artifact);
        int n = data.length;
        try (ModelCache.Lease lease = ModelCache.global().acquire(ref, signature, artifact, Device.cpu())) {
            double loopSum = plainLoop(lease, data);
            double sparkSum = sparkSum(scorer, src.inMemory());
            System.out.printf(Locale.ROOT, "%s: sum of all scores loop=%.2f spark=%.2f%n", tag, loopSum, sparkSum);
            // Warm-up: every path WARMUP times. Each Spark job also plans its query, and the JIT keeps compiling
            // Spark's planner for many jobs (about 0.3 s of compiler CPU per job after two, much less after ten):
            // the rounds measure the steady state a long scoring job sees.
            for (int w = 0; w < WARMUP; w++) {
                plainLoop(lease, data);
                sparkRun(scorer, src.inMemory());
                sparkRun(scorer, src.cached());
                sparkRun(scorer, src.parquet());
                sourceOnly(src.inMemory());
            }
            double[] loop = new double[rounds];
            double[] udf = new double[rounds];
            double[] ratio = new double[rounds];
            double[] cpuRatio = new double[rounds];
            double[] cachedRatio = new double[rounds];
            double[] parquetRatio = new double[rounds];
            double[] ceiling = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                // Back to back, so that each ratio is the least exposed to the machine's load drifting.
                Run l = timed(n, () -> plainLoop(lease, data));
                Run u = timed(n, () -> sparkRun(scorer, src.inMemory()));
                Run c = timed(n, () -> sparkRun(scorer, src.cached()));
                Run p = timed(n, () -> sparkRun(scorer, src.parquet()));
                Run s = timed(n, () -> sourceOnly(src.inMemory()));
                loop[r] = l.rowsPerSecond();
                udf[r] = u.rowsPerSecond();
                ratio[r] = udf[r] / loop[r];
                cpuRatio[r] = l.cpuNanosPerRow() / u.cpuNanosPerRow();
                cachedRatio[r] = c.rowsPerSecond() / loop[r];
                parquetRatio[r] = p.rowsPerSecond() / loop[r];
                // What the UDF would reach if scoring cost Spark exactly what it costs the loop: time(source) + time(loop).
                ceiling[r] = 1 / (1 + loop[r] / s.rowsPerSecond());
                System.out.printf(Locale.ROOT, "%s round %d: plain DJL loop %.0f rows/s (%.0f cpu ns/row), Spark UDF %.0f rows/s (%.0f cpu ns/row): "
                                + "ratio %.2f, cpu ratio %.2f; from Spark's columnar cache %.2f, from Parquet %.2f; "
                                + "Spark reading and writing the rows without the model %.0f rows/s (%.0f cpu ns/row), ceiling %.2f%n",
                        tag, r + 1, loop[r], l.cpuNanosPerRow(), udf[r], u.cpuNanosPerRow(), ratio[r], cpuRatio[r], cachedRatio[r],
                        parquetRatio[r], s.rowsPerSecond(), s.cpuNanosPerRow(), ceiling[r]);
            }
            double q = median(ratio);
            InferenceStats stats = scorer.stats();
            System.out.printf(Locale.ROOT, "%s: %s%n", tag, stats);
            figures.add(String.format(Locale.ROOT, "%s_ratio=%.2f %s_udf_rows_s=%.0f %s_loop_rows_s=%.0f %s_cpu_ratio=%.2f "
                            + "%s_cached_source_ratio=%.2f %s_parquet_source_ratio=%.2f %s_ceiling=%.2f %s_fill=%.3f",
                    tag, q, tag, median(udf), tag, median(loop), tag, median(cpuRatio), tag, median(cachedRatio),
                    tag, median(parquetRatio), tag, median(ceiling), tag, stats.averageBatchFill()));
            return q;
        }
    }

    /** The same rows read and written to the noop sink without the model: what Spark costs before any scoring. */
    private static void sourceOnly(Dataset<Row> df) {
        df.write().format("noop").mode("overwrite").save();
    }

    /** Sum of the scores, to show that the UDF and the loop computed the same thing. */
    private static double sparkSum(ModelScorer scorer, Dataset<Row> df) {
        return scorer.transform(df).agg(org.apache.spark.sql.functions.sum("score")).first().getDouble(0);
    }

    private static void sparkRun(ModelScorer scorer, Dataset<Row> df) {
        scorer.transform(df).write().format("noop").mode("overwrite").save();  // every row and column, written nowhere
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
                        float[] scores = out.floats(0);
                        for (int i = 0; i < n; i++) {
                            sum += scores[i];
                        }
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
