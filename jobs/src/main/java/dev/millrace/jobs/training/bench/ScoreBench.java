package dev.millrace.jobs.training.bench;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.translate.NoopTranslator;
import dev.millrace.core.config.MillraceConfig;
import dev.millrace.jobs.training.CandidateRanking;
import dev.millrace.jobs.training.model.RankerModels;
import dev.millrace.udfs.registry.FeatureSpec;
import dev.millrace.udfs.registry.ModelRegistry;
import dev.millrace.udfs.registry.ModelVersion;
import dev.millrace.udfs.registry.RankerBlockFactory;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.apache.spark.sql.functions.expr;

/**
 * The score benchmark: U generated users x C candidates each, every candidate row with the ranker's 57 raw
 * features, through the scoring stage of {@code score} ({@link CandidateRanking#score}: standardised input vector
 * from the model version's feature spec, the ranker through the DJL UDF, then {@link CandidateRanking#topKLists}: top K
 * per user as one list per user) into
 * Spark's noop sink, in local[2], with string user and item keys; against a plain DJL loop over the same rows
 * already as standardised floats in memory (2 threads, one predictor each, batch 1024, the same saved ranker). Medians of alternating rounds after a
 * warm-up. Last line: {@code score ratio=X ...}. Usage: ScoreBench [users] [candidates] [rounds]
 */
public final class ScoreBench {

    private static final int FEATURES = 57;
    private static final int BATCH = 1024;
    private static final int THREADS = 2;
    private static final int K = 10;

    private ScoreBench() {
    }

    public static void main(String[] args) throws Exception {
        long users = args.length > 0 ? Long.parseLong(args[0]) : 100_000;
        int cands = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        long rows = users * cands;
        Path dir = Files.createTempDirectory("millrace-score-bench-");
        // score's wide projection runs JIT-compiled only under the project's code-generation limit (conf/).
        String hugeMethodLimit = MillraceConfig.defaults().getString(
                "millrace.spark.conf.\"spark.sql.codegen.hugeMethodLimit\"");
        SparkSession spark = SparkSession.builder().master("local[" + THREADS + "]").appName("score-bench")
                .config("spark.sql.codegen.hugeMethodLimit", hugeMethodLimit)
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", String.valueOf(THREADS))
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        try {
            List<FeatureSpec> specs = new ArrayList<>();
            for (int f = 0; f < FEATURES - 1; f++) {
                specs.add(new FeatureSpec("f" + f, "f" + f, -1, 0.5, 0.25));
            }
            specs.add(new FeatureSpec("als_score", "als_score", -1, 0.5, 0.25));
            ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
            int[] layers = {FEATURES, 32, 16, 1};
            ModelVersion v = registry.register(new ModelVersion(null, "ranker", "2026-01-01", Instant.now().toString(),
                    params(layers), Map.of(), specs, Map.of(), Map.of(), "bench"), folder -> save(folder, layers));
            CandidateRanking ranking = new CandidateRanking(spark, MillraceConfig.defaults());

            Dataset<Row> candidates = candidates(spark, rows, cands);
            System.out.printf(Locale.ROOT, "score-bench: %d users x %d candidates = %d rows, %d features%n", users,
                    cands, rows, FEATURES);
            float[] data = standardisedRows(rows, cands);
            try (Model model = Model.newInstance("ranker", "PyTorch")) {
                model.setBlock(RankerBlockFactory.block(layers));
                model.load(registry.folder(v.version()).resolve(RankerModels.RANKER_DIR), "ranker");
                loop(model, data, rows);  // warm-up, both sides
                spark(ranking, candidates, registry, v);
                double[] loopRate = new double[rounds];
                double[] sparkRate = new double[rounds];
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    loop(model, data, rows);
                    loopRate[r] = rows / ((System.nanoTime() - t0) / 1e9);
                    t0 = System.nanoTime();
                    spark(ranking, candidates, registry, v);
                    sparkRate[r] = rows / ((System.nanoTime() - t0) / 1e9);
                    ratio[r] = sparkRate[r] / loopRate[r];
                    System.out.printf(Locale.ROOT, "round %d: plain DJL loop %.0f rows/s, score stage %.0f rows/s, "
                            + "ratio %.3f%n", r + 1, loopRate[r], sparkRate[r], ratio[r]);
                }
                System.out.printf(Locale.ROOT, "score ratio=%.3f spark_rows_s=%.0f loop_rows_s=%.0f users=%d "
                                + "candidates_per_user=%d rows=%d features=%d batch=%d threads=%d k=%d%n",
                        median(ratio), median(sparkRate), median(loopRate), users, cands, rows, FEATURES, BATCH,
                        THREADS, K);
            }
        } finally {
            spark.stop();
        }
    }

    private static Map<String, Object> params(int[] layers) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("block_factory", RankerBlockFactory.class.getName());
        p.put("layers", Arrays.stream(layers).mapToObj(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow());
        return p;
    }

    private static void save(Path folder, int[] layers) throws java.io.IOException {
        try (Model model = Model.newInstance("ranker", "PyTorch")) {
            SequentialBlock block = RankerBlockFactory.block(layers);
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, layers[0]));
            Path out = Files.createDirectories(folder.resolve(RankerModels.RANKER_DIR));
            model.save(out, "ranker");
        }
    }

    /** Raw feature f of row r, the same in Java and Spark SQL: ((r * 31 + f * 17) % 1000) / 1000. */
    private static double raw(long r, int f) {
        return ((r * 31 + f * 17L) % 1000) / 1000.0;
    }

    private static Dataset<Row> candidates(SparkSession spark, long rows, int cands) {
        List<Column> cols = new ArrayList<>();
        // String keys, as every table carries them (SKU-like items, account-like users).
        cols.add(expr("concat('user-', CAST(id DIV " + cands + " AS STRING))").as("user_id"));
        cols.add(expr("concat('SKU-', CAST((id * 7919) % 50000 AS STRING))").as("item_id"));
        for (int f = 0; f < FEATURES - 1; f++) {
            cols.add(expr("((id * 31 + " + (f * 17) + ") % 1000) / 1000.0D").as("f" + f));
        }
        cols.add(expr("((id * 31 + " + ((FEATURES - 1) * 17) + ") % 1000) / 1000.0D").as("als_score"));
        return spark.range(0, rows, 1, THREADS).select(cols.toArray(Column[]::new));
    }

    private static float[] standardisedRows(long rows, int cands) {
        float[] out = new float[Math.toIntExact(rows * FEATURES)];
        for (long r = 0; r < rows; r++) {
            for (int f = 0; f < FEATURES; f++) {
                out[(int) (r * FEATURES + f)] = (float) ((raw(r, f) - 0.5) / 0.25);
            }
        }
        return out;
    }

    private static void spark(CandidateRanking ranking, Dataset<Row> candidates, ModelRegistry registry,
                              ModelVersion v) {
        Dataset<Row> scored = ranking.score(candidates, registry, v, BATCH);
        CandidateRanking.topKLists(scored, RankerModels.SCORE_COLUMN, K)
                .write().format("noop").mode("overwrite").save();
    }

    /** The baseline: THREADS threads, each over its share of the rows, batch by batch through the same model. */
    private static double loop(Model model, float[] data, long rows) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Double>> parts = new ArrayList<>();
            long per = (rows + THREADS - 1) / THREADS;
            for (int t = 0; t < THREADS; t++) {
                long from = t * per;
                long to = Math.min(rows, from + per);
                parts.add(pool.submit(() -> {
                    double sum = 0;
                    float[] buf = new float[BATCH * FEATURES];
                    try (Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator());
                         NDManager m = model.getNDManager().newSubManager()) {
                        for (long start = from; start < to; start += BATCH) {
                            int n = (int) Math.min(BATCH, to - start);
                            System.arraycopy(data, (int) (start * FEATURES), buf, 0, n * FEATURES);
                            try (NDManager batch = m.newSubManager()) {
                                NDArray x = batch.create(Arrays.copyOf(buf, n * FEATURES), new Shape(n, FEATURES));
                                NDList out = p.predict(new NDList(x));
                                sum += out.singletonOrThrow().toFloatArray()[0];
                            }
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
}
