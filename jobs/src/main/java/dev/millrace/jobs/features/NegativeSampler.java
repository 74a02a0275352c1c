package dev.millrace.jobs.features;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Deterministic negative sampling for implicit feedback: for each positive (user u, item i, time t), {@code ratio}
 * items drawn uniformly from the catalogue of items with interactions, never an item u ever interacted with (a later
 * interaction would make it a false negative), each labelled 0 at the same time t and split, so its features are
 * joined as of t like the positive's. Keys are strings (any feed's SKUs or UUIDs).
 *
 * <p>The catalogue is numbered 0..n-1 in the order (bucket, item_id), bucket = {@code pmod(xxhash64(item_id), B)}
 * with B = ceil(n / catalogue-bucket-size): each bucket is numbered by a window of its own and offset by the sizes of
 * the buckets before it, so numbering stays spread over B partitions as the catalogue grows (no single-partition
 * window, nothing collected to the driver; the only unpartitioned step is a running sum over the B bucket sizes).
 * Draw j of a positive picks catalogue index {@code pmod(xxhash64(seed, u, i, t, j), n)}: a pure function of the data
 * and the seed, so the same seed gives the same negatives on any cluster, partitioning or engine (CPU or GPU), with
 * built-in expressions only. {@code oversample} x ratio draws are made; after removing the user's own items and
 * repeats, the first {@code ratio} draws (by j) are kept.
 */
public final class NegativeSampler {

    static final String IDX = "__item_idx";
    static final String DRAW = "__draw";
    static final String PICK = "__pick";
    static final String POSITIVE_ITEM = "__positive_item";
    private static final String BUCKET = "__bucket";
    private static final String IN_BUCKET = "__in_bucket";
    private static final String SIZE = "__size";
    private static final String OFFSET = "__offset";

    private final int ratio;
    private final long seed;
    private final int oversample;
    private final long bucketSize;

    public NegativeSampler(int ratio, long seed, int oversample, long bucketSize) {
        if (bucketSize < 1) {
            throw new IllegalArgumentException("the catalogue bucket size must be at least 1, got " + bucketSize);
        }
        this.ratio = ratio;
        this.seed = seed;
        this.oversample = oversample;
        this.bucketSize = bucketSize;
    }

    /**
     * @param positives    user_id, item_id, event_time, split (one row per positive)
     * @param interactions user_id, item_id of every interaction (the exclusion list and the item catalogue)
     * @return user_id, item_id, event_time, split of the negatives
     */
    public Dataset<Row> sample(Dataset<Row> positives, Dataset<Row> interactions) {
        Dataset<Row> items = interactions.select("item_id").distinct();
        long n = items.count();
        if (n == 0 || ratio == 0) {
            return positives.select("user_id", "item_id", "event_time", TimeSplit.SPLIT).limit(0);
        }
        Dataset<Row> catalogue = catalogue(items, (n + bucketSize - 1) / bucketSize);
        int draws = ratio * oversample;
        Dataset<Row> candidates = positives
                .select(col("user_id"), col("item_id").as(POSITIVE_ITEM), col("event_time"), col(TimeSplit.SPLIT))
                .withColumn(DRAW, explode(sequence(lit(0), lit(draws - 1))))
                .withColumn(PICK, pmod(xxhash64(lit(seed), col("user_id"), col(POSITIVE_ITEM), col("event_time"),
                        col(DRAW)), lit(n)));
        // A shuffle join on the index: the catalogue is not broadcast (that would collect it on the driver).
        candidates = candidates.join(catalogue, candidates.col(PICK).equalTo(catalogue.col(IDX)))
                .drop(PICK, IDX);
        Dataset<Row> own = interactions.select("user_id", "item_id").distinct();
        Dataset<Row> firstDraws = candidates.join(own, scala.jdk.javaapi.CollectionConverters.asScala(
                        java.util.List.of("user_id", "item_id")).toList(), "left_anti")
                .groupBy("user_id", POSITIVE_ITEM, "event_time", TimeSplit.SPLIT, "item_id")
                .agg(min(DRAW).as(DRAW));
        return firstDraws
                .withColumn("__rank", row_number().over(Window.partitionBy("user_id", POSITIVE_ITEM, "event_time")
                        .orderBy(DRAW)))
                .where(col("__rank").leq(ratio))
                .select("user_id", "item_id", "event_time", TimeSplit.SPLIT);
    }

    /** item_id and its dense index in the order (bucket, item_id), over {@code buckets} hash buckets. */
    static Dataset<Row> catalogue(Dataset<Row> items, long buckets) {
        Column bucket = pmod(xxhash64(col("item_id")), lit(buckets));
        Dataset<Row> bucketed = items.withColumn(BUCKET, bucket);
        Dataset<Row> numbered = bucketed.withColumn(IN_BUCKET,
                row_number().over(Window.partitionBy(BUCKET).orderBy("item_id")).minus(1).cast("long"));
        // Items in the buckets before each bucket: one row per bucket joined with the buckets before it (a running sum
        // by window would need one partition; this join has B x B / 2 rows for B = items / bucket size).
        Dataset<Row> sizes = bucketed.groupBy(BUCKET).agg(count(lit(1)).as(SIZE));
        Dataset<Row> before = sizes.select(col(BUCKET).as("__b"), col(SIZE).as("__s"));
        Dataset<Row> offsets = sizes.join(before, col("__b").lt(col(BUCKET)), "left")
                .groupBy(BUCKET).agg(coalesce(sum(col("__s")), lit(0L)).as(OFFSET));
        return numbered.join(offsets, BUCKET)
                .select(col("item_id"), col(OFFSET).plus(col(IN_BUCKET)).cast("long").as(IDX));
    }
}
