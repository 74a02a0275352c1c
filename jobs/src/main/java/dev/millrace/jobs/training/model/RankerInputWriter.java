package dev.millrace.jobs.training.model;

import dev.millrace.jobs.training.TrainingSettings;
import dev.millrace.jobs.training.export.ExportManifest;
import dev.millrace.udfs.registry.FeatureSpec;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;

/**
 * Writes the ranker's training rows with Spark into a folder of Parquet files ({@link RankerInput}): the export's
 * shard rows of the ranker's split with the standardised ALS score appended (the factors joined and the dot product
 * taken in Spark), and the ALS candidate rows. Above {@code millrace.training.ranker.max-rows} both are a
 * {@link SeededSample}. The rows keep the order the trainer has always seen (each shard's file order, the
 * candidates' in Spark's order), cut into files of at most {@code file-rows} rows, so the trainer's memory is one
 * file whatever the row count and the model is the one the same rows gave before; only counts reach the driver.
 */
public final class RankerInputWriter {

    private final SparkSession spark;
    private final TrainingSettings s;

    public RankerInputWriter(SparkSession spark, TrainingSettings s) {
        this.spark = spark;
        this.s = s;
    }

    /**
     * @param als        the ALS whose score the shard rows get (the fit before the ranker's split)
     * @param alsScore   the ALS score's spec (its mean and std standardise the dot product)
     * @param candidates {@code (user_id, item_id, features, label)} rows, features already including the ALS score
     */
    public RankerInput write(ExportManifest manifest, KeyedAls als, FeatureSpec alsScore,
                             Optional<Dataset<Row>> candidates, String folder) {
        long candidateCount = 0;
        if (candidates.isPresent()) {
            // Staged as Spark computes them (part files in partition order: the order a collect gave), so their
            // count is known before the sample's fraction without computing them twice.
            candidates.get().select("user_id", "item_id", "features", "label").write().mode("overwrite")
                    .parquet(folder + "/staged");
            candidateCount = spark.read().parquet(folder + "/staged").count();
        }
        long splitRows = manifest.json().path("rows_by_split").path(s.rankerSplit()).asLong(0);
        long total = splitRows + candidateCount;
        double fraction = total > s.rankerMaxRows() ? (double) s.rankerMaxRows() / total : 1.0;

        List<String> rowFiles = List.of();
        long rows = 0;
        if (splitRows > 0) {
            // Each shard stays a group of its own, in its file order (row_index): the trainer walks shard by shard.
            Dataset<Row> all = null;
            long chunks = 0;
            for (int i = 0; i < manifest.shards().size(); i++) {
                Dataset<Row> shard = spark.read().parquet(manifest.shardPath(i)).select(lit(i).as("group"),
                        col("_metadata.row_index").as("pos"), col("user_id"), col("item_id"), col("event_time"),
                        col("features"), col("label"), col("split"));
                all = all == null ? shard : all.union(shard);
                chunks += Math.max(1, (manifest.shards().get(i).rows() + s.rankerFileRows() - 1)
                        / s.rankerFileRows());
            }
            Dataset<Row> split = all.where(col("split").equalTo(s.rankerSplit()));
            if (fraction < 1) {
                split = split.where(SeededSample.keep(fraction, s.rankerSeed(), col("user_id"), col("item_id"),
                        col("event_time")));
            }
            Dataset<Row> users = als.userFactors().withColumnRenamed("features", "_u");
            Dataset<Row> items = als.itemFactors().withColumnRenamed("features", "_i");
            Dataset<Row> scored = split.join(users, new String[] {"user_id"}, "left")
                    .join(items, new String[] {"item_id"}, "left")
                    .withColumn("features", concat(col("features"), array(score(alsScore))));
            rowFiles = inOrder(scored, chunks, folder + "/rows");
            rows = spark.read().parquet(folder + "/rows").count();
        }
        List<String> candidateFiles = List.of();
        long candidateRows = 0;
        if (candidateCount > 0) {
            Dataset<Row> staged = positions(folder + "/staged");
            if (fraction < 1) {
                staged = staged.where(SeededSample.keep(fraction, s.rankerSeed(), col("user_id"), col("item_id")));
            }
            candidateFiles = inOrder(staged, (candidateCount + s.rankerFileRows() - 1) / s.rankerFileRows(),
                    folder + "/candidates");
            candidateRows = spark.read().parquet(folder + "/candidates").count();
        }
        return new RankerInput(folder, rowFiles, rows, candidateFiles, candidateRows, fraction);
    }

    /**
     * The standardised ALS score of a row with its factors {@code _u} and {@code _i}, as the trainer used to compute
     * it in the JVM (float products summed in double); 0 (the mean) when ALS knows the user or the item not.
     */
    static Column score(FeatureSpec spec) {
        Column dot = expr("aggregate(zip_with(_u, _i, (x, y) -> x * y), 0D, (acc, v) -> acc + v)");
        return coalesce(dot.minus(lit(spec.mean())).divide(lit(spec.std())).cast("float"), lit(0f));
    }

    /**
     * The staged rows with {@code group} 0 and {@code pos}, their position in the whole staged output (part files
     * in name order, rows in file order): each file's offset comes from the per-file counts, one row per file.
     */
    private Dataset<Row> positions(String dir) {
        Dataset<Row> rows = spark.read().parquet(dir).select(col("_metadata.file_name").as("_file"),
                col("_metadata.row_index").as("_index"), col("user_id"), col("item_id"), col("features"),
                col("label"));
        List<Row> counts = rows.groupBy("_file").count().collectAsList();
        List<Row> sorted = new ArrayList<>(counts);
        sorted.sort((a, b) -> a.getString(0).compareTo(b.getString(0)));
        List<Row> offsets = new ArrayList<>();
        long offset = 0;
        for (Row r : sorted) {
            offsets.add(org.apache.spark.sql.RowFactory.create(r.getString(0), offset));
            offset += r.getLong(1);
        }
        Dataset<Row> offsetsDf = spark.createDataFrame(offsets, new org.apache.spark.sql.types.StructType()
                .add("_file", "string").add("_offset", "long"));
        return rows.join(org.apache.spark.sql.functions.broadcast(offsetsDf), "_file")
                .select(lit(0).as("group"), col("_offset").plus(col("_index")).as("pos"), col("user_id"),
                        col("item_id"), col("features"), col("label"));
    }

    /**
     * Writes {@code rows} ({@code group, pos, user_id, item_id, features, label}) as one file per group and run of
     * file-rows positions ({@code group=G/chunk=C/}), rows in {@code pos} order, and returns the files in
     * (group, chunk) order: the order to train on.
     */
    private List<String> inOrder(Dataset<Row> rows, long chunks, String dir) {
        int partitions = (int) Math.min(Integer.MAX_VALUE, Math.max(1, chunks));
        rows.withColumn("chunk", floor(col("pos").divide(lit(s.rankerFileRows()))).cast("long"))
                .repartition(partitions, col("group"), col("chunk"))
                .sortWithinPartitions(col("group"), col("chunk"), col("pos"))
                // pos stays in the files: the write's order (group, chunk) is then a prefix of the rows' order, and
                // Spark adds no sort of its own that could reorder rows within a chunk.
                .select("group", "chunk", "pos", "user_id", "item_id", "features", "label")
                .write().partitionBy("group", "chunk").mode("overwrite").parquet(dir);
        List<long[]> keys = new ArrayList<>();
        List<String> files = new ArrayList<>();
        Path root = new Path(dir);
        try {
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            for (FileStatus g : fs.listStatus(root, p -> p.getName().startsWith("group="))) {
                long group = Long.parseLong(g.getPath().getName().substring("group=".length()));
                for (FileStatus c : fs.listStatus(g.getPath(), p -> p.getName().startsWith("chunk="))) {
                    long chunk = Long.parseLong(c.getPath().getName().substring("chunk=".length()));
                    List<String> inChunk = new ArrayList<>();
                    for (FileStatus f : fs.listStatus(c.getPath())) {
                        String name = f.getPath().getName();
                        if (f.isFile() && name.endsWith(".parquet") && !name.startsWith("_")
                                && !name.startsWith(".")) {
                            inChunk.add(f.getPath().toString());
                        }
                    }
                    inChunk.sort(null);
                    for (String f : inChunk) {
                        keys.add(new long[] {group, chunk, files.size()});
                        files.add(f);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        keys.sort(Comparator.<long[]>comparingLong(k -> k[0]).thenComparingLong(k -> k[1])
                .thenComparingLong(k -> k[2]));
        return keys.stream().map(k -> files.get((int) k[2])).toList();
    }
}
