package dev.millrace.jobs.training.export;

import dev.millrace.core.spark.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.LongStream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ShardNumbering} against what a global sort gives: the same numbers, 0..n-1 once each, over several buckets,
 * with no range partitioning (global sort) or single-partition exchange in the plan.
 */
class ShardNumberingTest {

    private static final List<String> ORDER = List.of("_key", "user_id", "item_id");
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SharedSpark.session();
    }

    private static Dataset<Row> keyed(long rows, int bits, long seed) {
        // Users repeat and keys collide in user and item for some rows, so the ties matter.
        return spark.range(rows).selectExpr("CAST(id % 97 AS STRING) AS user_id", "CAST(id % 13 AS STRING) AS item_id",
                        "id AS payload")
                .withColumn("_key", xxhash64(lit(seed), col("user_id"), col("item_id")))
                .withColumn(ShardNumbering.BUCKET, ShardNumbering.bucket(col("_key"), bits));
    }

    private static Dataset<Row> numbered(Dataset<Row> keyed) {
        return ShardNumbering.number(keyed, keyed.groupBy(ShardNumbering.BUCKET).count(), ORDER);
    }

    @Test
    void numbersRowsAsAGlobalSortWouldAcrossBuckets() {
        long rows = 2_000;
        int bits = ShardNumbering.bucketBits(rows, 300);
        assertThat(bits).isEqualTo(3);
        Dataset<Row> keyed = keyed(rows, bits, 7);
        assertThat(keyed.select(ShardNumbering.BUCKET).distinct().count()).isGreaterThan(4);
        Dataset<Row> numbered = numbered(keyed);

        List<Long> positions = numbered.orderBy(ShardNumbering.POS).select(ShardNumbering.POS)
                .as(Encoders.LONG()).collectAsList();
        assertThat(positions).containsExactlyElementsOf(LongStream.range(0, rows).boxed().toList());
        // Rows equal in every order column may take either number; their key columns then read the same.
        List<String> byPos = numbered.orderBy(ShardNumbering.POS)
                .selectExpr("concat_ws(':', _key, user_id, item_id)").as(Encoders.STRING()).collectAsList();
        List<String> bySort = keyed.orderBy("_key", "user_id", "item_id")
                .selectExpr("concat_ws(':', _key, user_id, item_id)").as(Encoders.STRING()).collectAsList();
        assertThat(byPos).isEqualTo(bySort);

        String plan = numbered.queryExecution().executedPlan().toString();
        assertThat(plan).doesNotContain("rangepartitioning").doesNotContain("SinglePartition");
        assertThat(plan).contains("hashpartitioning(" + ShardNumbering.BUCKET);
    }

    @Test
    void oneBucketAndTheCapAreTheEdges() {
        assertThat(ShardNumbering.bucketBits(10, 100)).isZero();
        assertThat(ShardNumbering.bucketBits(100, 100)).isZero();
        assertThat(ShardNumbering.bucketBits(101, 100)).isEqualTo(1);
        assertThat(ShardNumbering.bucketBits(Long.MAX_VALUE / 2, 1)).isEqualTo(ShardNumbering.MAX_BUCKET_BITS);
        Dataset<Row> keyed = keyed(500, 0, 3);
        assertThat(keyed.select(ShardNumbering.BUCKET).distinct().count()).isEqualTo(1);
        assertThat(numbered(keyed).agg(org.apache.spark.sql.functions.max(ShardNumbering.POS)).first().getLong(0))
                .isEqualTo(499);
    }
}
