package dev.millrace.jobs.bench;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.run.RunReport;
import dev.millrace.core.spark.SparkSessions;
import dev.millrace.jobs.generate.GeneratorSpec;
import dev.millrace.jobs.generate.MovieLensGenerator;
import dev.millrace.jobs.ingest.EventPartitioning;
import dev.millrace.jobs.ingest.IngestJob;
import dev.millrace.jobs.ingest.IngestRequest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.unix_seconds;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * {@code bench/run ingest}: Delta ingest throughput (ratings rows/s through parse, validation, dedupe and the bronze,
 * silver and quarantine writes) as a ratio to a plain Parquet write of the same rows in the same run: Spark's own CSV
 * reader with a typed schema (string keys, as silver has them), the same partition layout, no validation, no Delta.
 * After the timed runs, both outputs are checked to hold the same rows (count and a checksum of every row's keys,
 * rating, time and bucket), so the ratio compares equal work. Usage: {@code IngestBench WORKDIR [events...]} (default 1000000 10000000).
 */
public final class IngestBench {

    private IngestBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "target/bench-ingest").toAbsolutePath();
        List<Long> sizes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            sizes.add(Long.parseLong(args[i]));
        }
        if (sizes.isEmpty()) {
            sizes = List.of(1_000_000L, 10_000_000L);
        }
        MillraceConfig base = MillraceConfig.load(java.util.Optional.empty(), Map.of(
                "millrace.spark.master", "local[2]",
                "millrace.lake.root", work.resolve("lake-warmup").toString()));
        SparkSession spark = SparkSessions.getOrCreate(base, "bench-ingest");
        Path mapping = work.resolve("ratings-only.conf");
        Files.createDirectories(work);
        Files.writeString(mapping, "sources = [ { entity = ratings, files = \"ratings*.csv\", "
                + "columns { user_id = userId, item_id = movieId, rating = rating, event_time = timestamp }, "
                + "normalise { user_id = [trim, integral], item_id = [trim, integral] } } ]\n");

        // Warm-up on a small set so that neither side pays for class loading and JIT in its timed run.
        Path warm = generate(work, 200_000);
        ingest(spark, base.with(Map.of("millrace.lake.root", work.resolve("lake-warm").toString())), warm, mapping);
        parquet(spark, base, warm, work.resolve("parquet-warm"));

        StringBuilder figures = new StringBuilder();
        double worst = Double.MAX_VALUE;
        for (long events : sizes) {
            Path src = generate(work, events);
            long rows = Files.size(src.resolve("ratings.csv")) > 0 ? events : 0;
            MillraceConfig cfg = base.with(Map.of("millrace.lake.root", work.resolve("lake-" + events).toString()));
            double parquetSeconds = parquet(spark, cfg, src, work.resolve("parquet-" + events));
            double ingestSeconds = ingest(spark, cfg, src, mapping);
            checkSameRows(spark, cfg, work.resolve("parquet-" + events));
            double ratio = parquetSeconds / ingestSeconds;
            worst = Math.min(worst, ratio);
            System.out.printf(Locale.ROOT, "%,d events: parquet %.1f s (%,.0f rows/s), delta ingest %.1f s "
                    + "(%,.0f rows/s), ratio %.2f%n", events, parquetSeconds, rows / parquetSeconds, ingestSeconds,
                    rows / ingestSeconds, ratio);
            figures.append(String.format(Locale.ROOT, " ratio_%d=%.3f ingest_rows_s_%d=%.0f parquet_rows_s_%d=%.0f",
                    events, ratio, events, rows / ingestSeconds, events, rows / parquetSeconds));
        }
        spark.stop();
        System.out.printf(Locale.ROOT, "ingest ratio=%.3f%s layout=%s/user_bucket cores=2%n", worst, figures,
                EventPartitioning.from(base).granularity());
    }

    private static Path generate(Path work, long events) throws Exception {
        Path dir = work.resolve("source-" + events);
        if (!Files.exists(dir.resolve("_generator.json"))) {
            long users = Math.max(1000, events / 200);
            int items = (int) Math.max(2000, Math.min(200_000, events / 100));
            new MovieLensGenerator(new GeneratorSpec(users, items, events, 42, 0.0,
                    Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-12-31T23:59:59Z"))).writeTo(dir);
        }
        return dir;
    }

    private static double ingest(SparkSession spark, MillraceConfig cfg, Path src, Path mapping) {
        deleteRecursively(Path.of(java.net.URI.create(dev.millrace.core.lake.Lake.from(cfg).root())));
        long t0 = System.nanoTime();
        int code = new IngestJob(spark, cfg).run(new IngestRequest(src.toString(), "csv", mapping.toFile(), null),
                new RunReport("bench-ingest"));
        double s = (System.nanoTime() - t0) / 1e9;
        if (code != 0) {
            throw new IllegalStateException("ingest failed with exit code " + code);
        }
        return s;
    }

    /** The baseline: Spark's CSV reader, typed schema, same partition columns and layout, plain Parquet. */
    private static double parquet(SparkSession spark, MillraceConfig cfg, Path src, Path out) {
        deleteRecursively(out);
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("userId", DataTypes.StringType, true),
                DataTypes.createStructField("movieId", DataTypes.StringType, true),
                DataTypes.createStructField("rating", DataTypes.DoubleType, true),
                DataTypes.createStructField("timestamp", DataTypes.LongType, true)));
        EventPartitioning partitioning = EventPartitioning.from(cfg);
        int buckets = cfg.getInt("millrace.lake.buckets");
        long t0 = System.nanoTime();
        spark.read().option("header", "true").schema(schema).csv(src.resolve("ratings.csv").toString())
                .withColumn("event_date", to_date(timestamp_seconds(col("timestamp"))))
                .withColumn(EventPartitioning.PERIOD, partitioning.period(col("event_date")))
                .withColumn("user_bucket", pmod(xxhash64(col("userId")), lit(buckets)).cast("int"))
                .repartition(col(EventPartitioning.PERIOD), col("user_bucket"))
                .write().partitionBy(EventPartitioning.PERIOD, "user_bucket").parquet(out.toString());
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Fails the bench when silver.ratings and the baseline's Parquet do not hold the same rows. */
    private static void checkSameRows(SparkSession spark, MillraceConfig cfg, Path parquet) {
        dev.millrace.core.lake.Lake lake = dev.millrace.core.lake.Lake.from(cfg);
        Row silver = checksum(spark.read().format("delta").load(lake.location(
                dev.millrace.core.lake.TableName.of("silver", "ratings"))).select(col("user_id"), col("item_id"),
                col("rating"), unix_seconds(col("event_time")).as("ts"), col("user_bucket")));
        Row plain = checksum(spark.read().parquet(parquet.toString()).select(col("userId").as("user_id"),
                col("movieId").as("item_id"), col("rating"), col("timestamp").as("ts"), col("user_bucket")));
        if (!silver.equals(plain)) {
            throw new IllegalStateException("ingest and the Parquet baseline disagree: silver (rows, checksum) "
                    + silver + " vs parquet " + plain);
        }
    }

    /** Row count and the sum of each row's hash: one aggregation, no shuffle of the rows. */
    private static Row checksum(Dataset<Row> rows) {
        return rows.agg(count(lit(1)), sum(xxhash64(col("user_id"), col("item_id"), col("rating"), col("ts"),
                col("user_bucket")).cast("decimal(38,0)"))).first();
    }

    private static void deleteRecursively(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
