package dev.millrace.jobs.training.export;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.faults.KillPoints;
import dev.millrace.core.lake.Lake;
import dev.millrace.jobs.features.TrainingSetSettings;
import dev.millrace.jobs.training.DeltaVersions;
import dev.millrace.jobs.training.FeatureVectors;
import dev.millrace.jobs.training.TrainingSettings;
import dev.millrace.udfs.registry.FeatureSpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * {@code export-training}: the training set as N Parquet shards for distributed trainers (worker i reads shard i).
 * Rows are ordered by {@code xxhash64(seed, user, item, time, label)} (a pure function of data and seed), numbered in
 * that order ({@link ShardNumbering}: by hash-range buckets, with no global sort), and row j goes to shard
 * {@code j mod N}: shard sizes differ by at most one row, and the same table version and seed give the same rows in
 * the same order. Each row holds the string keys ({@code user_id, item_id}),
 * time, label, split and the standardised {@code features} vector; {@code manifest.json} describes it all.
 */
public final class TrainingExport {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingExport.class);
    private static final String KEY = "_key";

    /** What a run did. */
    public record Result(ExportManifest manifest, boolean unchanged) {
    }

    private final SparkSession spark;
    private final Lake lake;
    private final TrainingSetSettings trainingSet;
    private final TrainingSettings settings;
    private final MillraceConfig config;

    public TrainingExport(SparkSession spark, MillraceConfig config) {
        this.spark = spark;
        this.config = config;
        this.lake = Lake.from(config);
        this.trainingSet = TrainingSetSettings.from(config);
        this.settings = TrainingSettings.from(config);
    }

    /** The default folder of a logical date. */
    public String defaultFolder(LocalDate date) {
        return settings.exportRoot() + "/" + date;
    }

    public Result run(LocalDate date, int shards, long seed, Optional<String> out) {
        if (shards < 1) {
            throw new IllegalArgumentException("--shards must be >= 1, got " + shards);
        }
        String location = lake.location(trainingSet.table());
        long version = DeltaVersions.current(spark, location);
        String folder = out.orElse(defaultFolder(date));
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Optional<ExportManifest> existing = ExportManifest.read(folder, hadoop);
        if (existing.isPresent() && existing.get().sourceVersion() == version && existing.get().seed() == seed
                && existing.get().shards().size() == shards
                && existing.get().sourceTable().equals(trainingSet.table().qualified())) {
            LOG.info("export {} already holds {} version {} with seed {}: unchanged", folder, trainingSet.table(),
                    version, seed);
            return new Result(existing.get(), true);
        }

        Dataset<Row> table = spark.read().format("delta").option("versionAsOf", version).load(location);
        List<FeatureVectors.Fitted> fitted = FeatureVectors.fit(table);
        List<FeatureSpec> specs = fitted.stream().map(FeatureVectors.Fitted::spec).toList();
        long total = fitted.isEmpty() ? table.count() : fitted.get(0).rows();
        if (total < shards) {
            throw new IllegalStateException(trainingSet.table() + " has " + total + " rows, fewer than " + shards
                    + " shards");
        }
        // Keys are strings in every shard, whatever type the table holds (the shard format is a contract).
        Dataset<Row> rows = table.select(col("user_id").cast("string").as("user_id"),
                        col("item_id").cast("string").as("item_id"), col("event_time"),
                        col("label").cast("double").as("label"), col("split"), FeatureVectors.vector(specs).as("features"));
        List<String> columns = List.of(rows.columns());
        int bits = ShardNumbering.bucketBits(total, config.getLong("millrace.training.export.rows-per-bucket"));
        Dataset<Row> keyed = rows
                .withColumn(KEY, xxhash64(lit(seed), col("user_id"), col("item_id"), col("event_time"), col("label")))
                .withColumn(ShardNumbering.BUCKET, ShardNumbering.bucket(col(KEY), bits))
                .persist(StorageLevel.MEMORY_AND_DISK());
        // One pass for the sizes: per bucket (the numbering's offsets) and per split (the manifest), a few rows each.
        Dataset<Row> sizes = keyed.groupBy(ShardNumbering.BUCKET, "split").count().persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> sharded = ShardNumbering.number(keyed, sizes, List.of(KEY, "user_id", "item_id", "event_time", "label"))
                .withColumn("shard", col(ShardNumbering.POS).mod(lit(shards)).cast("int"))
                .repartition(shards, col("shard"))
                .sortWithinPartitions("shard", ShardNumbering.POS)
                .select(Stream.concat(columns.stream(), Stream.of("shard")).map(c -> col(c)).toArray(Column[]::new));

        ExportFolder target = new ExportFolder(folder, hadoop);
        int leftovers = target.deleteLeftovers();
        if (leftovers > 0) {
            LOG.warn("deleted {} staging folder(s) of {} that a killed export left", leftovers, folder);
        }
        String tmp = target.newStaging() + "/_parts";
        String previous = spark.conf().get("spark.sql.parquet.outputTimestampType");
        spark.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
        try {
            sharded.write().mode("overwrite").partitionBy("shard").parquet(tmp);
        } finally {
            spark.conf().set("spark.sql.parquet.outputTimestampType", previous);
        }
        Map<String, Long> bySplit = new LinkedHashMap<>();
        for (Row r : sizes.groupBy("split").agg(sum(col("count"))).orderBy("split").collectAsList()) {
            bySplit.put(r.getString(0), r.getLong(1));
        }
        sizes.unpersist();
        keyed.unpersist();

        List<Map<String, Object>> shardList = stageShards(tmp, target.staging(), shards, total, hadoop);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format", "millrace-training-export/1");
        manifest.put("logical_date", date.toString());
        manifest.put("created_at", Instant.now().toString());
        manifest.put("seed", seed);
        manifest.put("shard_count", shards);
        manifest.put("rows", total);
        manifest.put("rows_by_split", bySplit);
        manifest.put("shards", shardList);
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("table", trainingSet.table().qualified());
        source.put("location", location);
        source.put("delta_version", version);
        manifest.put("source", source);
        manifest.put("order", "rows sorted by xxhash64(seed, user_id, item_id, event_time, label); row j -> shard j mod N");
        manifest.put("schema", schemaJson(sharded.drop("shard").schema()));
        manifest.put("label", "label: 1.0 interaction, 0.0 sampled negative (implicit), or the rating (explicit)");
        List<Map<String, Object>> vector = new ArrayList<>();
        for (FeatureVectors.Fitted f : fitted) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", f.spec().name());
            m.put("column", f.spec().column());
            m.put("index", f.spec().index());
            m.put("mean", f.spec().mean());
            m.put("std", f.spec().std());
            m.put("min", Double.isNaN(f.min()) ? null : f.min());
            m.put("max", Double.isNaN(f.max()) ? null : f.max());
            m.put("missing", f.missing());
            vector.add(m);
        }
        manifest.put("feature_vector", vector);
        manifest.put("feature_vector_note", "features[i] = (raw - mean) / std, missing -> 0; raw = column, or "
                + "column[index] for array columns");
        Map<String, Object> vocab = new LinkedHashMap<>();
        if (config.hasPath("millrace.features.vocabularies")) {
            for (String k : config.getConfig("millrace.features.vocabularies").root().keySet()) {
                vocab.put(k, config.getStringList("millrace.features.vocabularies." + k));
            }
        }
        vocab.put("split", List.of("train", "validation", "test"));
        manifest.put("categorical_vocabularies", vocab);
        ExportManifest.write(target.staging(), manifest, hadoop);
        KillPoints.reached("file", target.name() + " staged");
        // The commit point: the finished folder, manifest included, replaces the old one by a rename.
        target.publishStaging();
        KillPoints.reached("file", target.name() + " published");
        LOG.info("exported {} rows of {} v{} into {} shards at {}", total, trainingSet.table(), version, shards, folder);
        return new Result(ExportManifest.read(folder, hadoop).orElseThrow(), false);
    }

    /** Moves each shard's single file to {@code shard-0000i-of-0000N.parquet} in the staging folder. */
    private static List<Map<String, Object>> stageShards(String parts, String staging, int shards, long total,
                                                         Configuration conf) {
        try {
            Path partsPath = new Path(parts);
            Path out = new Path(staging);
            FileSystem fs = out.getFileSystem(conf);
            List<Map<String, Object>> list = new ArrayList<>();
            for (int i = 0; i < shards; i++) {
                FileStatus[] files = fs.globStatus(new Path(partsPath, "shard=" + i + "/*.parquet"));
                if (files == null || files.length != 1) {
                    throw new IllegalStateException("expected one file for shard " + i + " under " + parts + ", found "
                            + (files == null ? 0 : files.length));
                }
                String name = String.format("shard-%05d-of-%05d.parquet", i, shards);
                if (!fs.rename(files[0].getPath(), new Path(out, name))) {
                    throw new IOException("cannot move " + files[0].getPath() + " to " + new Path(out, name));
                }
                long rows = total / shards + (i < total % shards ? 1 : 0);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("index", i);
                m.put("file", name);
                m.put("rows", rows);
                list.add(m);
            }
            fs.delete(partsPath, true);
            return list;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage the shards in " + staging, e);
        }
    }

    private static Object schemaJson(StructType schema) {
        try {
            return ExportManifest.JSON.readTree(schema.json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
