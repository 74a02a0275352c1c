package dev.millrace.jobs.training.export;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.shiftright;
import static org.apache.spark.sql.functions.sum;

/**
 * Numbers rows 0..n-1 in the order of a sort key without a global sort, so the export can deal row j to shard
 * {@code j mod N}. Rows go to buckets by the top bits of the key (a signed 64-bit hash, so bucket order is key
 * order), are numbered inside their bucket by a window partitioned by bucket, and are offset by the rows of the buckets
 * before theirs. The numbering is the one a global sort by the key and the tie columns would give.
 */
final class ShardNumbering {

    /** The bucket of each row (the key's top bits). */
    static final String BUCKET = "_bucket";
    /** The row's number, 0..n-1. */
    static final String POS = "_pos";
    /** Buckets are capped at 2^12: the offsets join has B x B / 2 rows; past that, buckets grow instead. */
    static final int MAX_BUCKET_BITS = 12;

    private static final String SIZE = "_size";
    private static final String OFFSET = "_offset";

    private ShardNumbering() {
    }

    /** Bits of bucket for {@code rows} rows of about {@code rowsPerBucket} each: 0 (one bucket) up to the cap. */
    static int bucketBits(long rows, long rowsPerBucket) {
        if (rowsPerBucket < 1) {
            throw new IllegalArgumentException("rows per bucket must be >= 1, got " + rowsPerBucket);
        }
        int bits = 0;
        while (bits < MAX_BUCKET_BITS && (rowsPerBucket << bits) < rows) {
            bits++;
        }
        return bits;
    }

    /** The bucket column of a signed 64-bit {@code key} split into 2^bits ranges. */
    static Column bucket(Column key, int bits) {
        return bits == 0 ? lit(0L) : shiftright(key, 64 - bits);
    }

    /**
     * {@code rows} (which hold {@link #BUCKET}, from {@link #bucket}) with {@link #POS} added: the row's rank by
     * {@code order} (the key first, then ties) over all rows. {@code sizes} holds {@link #BUCKET} and a row count
     * {@code count} per bucket (or per bucket and anything else: counts are summed per bucket).
     */
    static Dataset<Row> number(Dataset<Row> rows, Dataset<Row> sizes, List<String> order) {
        List<Column> by = new ArrayList<>();
        for (String c : order) {
            by.add(col(c));
        }
        Dataset<Row> perBucket = sizes.groupBy(BUCKET).agg(sum(col("count")).as(SIZE));
        // Rows in the buckets before each bucket: one row per bucket joined with the buckets before it (a running
        // sum by window would need one partition).
        Dataset<Row> before = perBucket.select(col(BUCKET).as("_b"), col(SIZE).as("_s"));
        Dataset<Row> offsets = perBucket.join(before, col("_b").lt(col(BUCKET)), "left")
                .groupBy(BUCKET).agg(coalesce(sum(col("_s")), lit(0L)).as(OFFSET));
        return rows.withColumn(POS, row_number().over(Window.partitionBy(BUCKET).orderBy(by.toArray(new Column[0])))
                        .minus(1).cast("long"))
                .join(offsets, BUCKET)
                .withColumn(POS, col(OFFSET).plus(col(POS)))
                .drop(OFFSET);
    }
}
