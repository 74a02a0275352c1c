package dev.millrace.udfs.bench;

import dev.millrace.udfs.ModelEngine;
import dev.millrace.udfs.ModelRef;
import dev.millrace.udfs.ModelScorer;
import dev.millrace.udfs.OutputKind;
import dev.millrace.udfs.ScoringOptions;
import dev.millrace.udfs.onnx.OnnxMlpWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * Millrace's side of the peer benchmark against SynapseML's ONNXModel (bench/suites/udf-peer.sh). Both sides must
 * score the same model file over the same rows, and the peer runs on another Spark line in another JVM, so this
 * main writes the benchmark's ONNX MLP (the one UdfBench uses: 32-64-32-1, seed 42) to a file and scores that file
 * over UdfBench's rows from a cached DataFrame, batch 1024, local[2], as the peer does.
 * Usage: {@code UdfPeerBench write-model FILE} or {@code UdfPeerBench run FILE [rows] [rounds] [warmup]}; the run's
 * last line is {@code millrace rows_s=.. sum=.. rows=..}.
 */
public final class UdfPeerBench {

    private static final int FEATURES = 32;
    private static final int[] LAYERS = {FEATURES, 64, 32, 1};
    private static final long SEED = 42;
    private static final int BATCH = 1024;
    private static final int THREADS = 2;

    private UdfPeerBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("write-model")) {
            Path file = Path.of(args[1]);
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.write(file, OnnxMlpWriter.write(LAYERS, null, SEED));
            System.out.println("udf-peer: wrote the MLP " + Arrays.toString(LAYERS) + " (seed " + SEED + ") to " + file);
        } else if (args.length >= 2 && args[0].equals("run")) {
            run(args[1], args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000,
                    args.length > 3 ? Integer.parseInt(args[3]) : 5, args.length > 4 ? Integer.parseInt(args[4]) : 3);
        } else {
            System.err.println("usage: UdfPeerBench write-model FILE | run FILE [rows] [rounds] [warmup]");
            System.exit(2);
        }
    }

    private static void run(String model, int rows, int rounds, int warmup) {
        SparkSession spark = SparkSession.builder().master("local[" + THREADS + "]").appName("udf-peer-bench")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", String.valueOf(THREADS))
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        try {
            Dataset<Row> cached = spark.range(0, rows, 1, THREADS).selectExpr("id", featuresExpr())
                    .persist(StorageLevel.MEMORY_ONLY());
            System.out.printf("udf-peer: %d rows x %d features, cached in %d partitions: %d rows%n",
                    rows, FEATURES, THREADS, cached.count());
            ModelRef ref = ModelRef.builder("bench-mlp-onnx", "1").engine(ModelEngine.ONNX_RUNTIME).location(model)
                    .input("features").output("score", "score", OutputKind.SCALAR)
                    .option("intraOpNumThreads", "1").option("interOpNumThreads", "1")
                    .build();
            ModelScorer scorer = ModelScorer.create(spark, ref, ScoringOptions.defaults().withBatchSize(BATCH));
            // Planned once, like the peer's side: the rounds time execution.
            Dataset<Row> scored = scorer.transform(cached);
            double total = scored.agg(org.apache.spark.sql.functions.sum(
                    org.apache.spark.sql.functions.col("score").cast("double"))).first().getDouble(0);
            System.out.printf(Locale.ROOT, "udf-peer: sum of all scores %.4f%n", total);
            for (int w = 0; w < warmup; w++) {
                write(scored);
            }
            double[] rate = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                write(scored);
                rate[r] = rows / ((System.nanoTime() - t0) / 1e9);
                System.out.printf(Locale.ROOT, "millrace round %d: %.0f rows/s%n", r + 1, rate[r]);
            }
            double[] sorted = rate.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "millrace rows_s=%.0f sum=%.4f rows=%d batch=%d threads=%d spark=%s%n",
                    sorted[sorted.length / 2], total, rows, BATCH, THREADS, spark.version());
        } finally {
            spark.stop();
        }
    }

    private static void write(Dataset<Row> scored) {
        scored.write().format("noop").mode("overwrite").save();  // every row and column, written nowhere
    }

    /** UdfBench's features: feature c of row r = ((r * 31 + c * 17) % 1000) / 1000 - 0.5, as float. */
    private static String featuresExpr() {
        StringJoiner j = new StringJoiner(", ", "array(", ") AS features");
        for (int c = 0; c < FEATURES; c++) {
            j.add("CAST(((id * 31 + " + (c * 17) + ") % 1000) / 1000.0D - 0.5D AS FLOAT)");
        }
        return j.toString();
    }
}
