package dev.millrace.jobs.training.model;

import dev.millrace.core.spark.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/** The ranker's max-rows sample: decided by the seed and the keys, whatever the partitioning. */
class SeededSampleTest {

    private static List<String> kept(Dataset<Row> rows, double fraction, long seed) {
        return rows.where(SeededSample.keep(fraction, seed, col("user_id"), col("item_id")))
                .selectExpr("concat(user_id, ':', item_id)").as(Encoders.STRING()).collectAsList().stream()
                .sorted().toList();
    }

    @Test
    void theSameSeedKeepsTheSameRowsOnAnyPartitioningAndAnotherSeedOthers() {
        SparkSession spark = SharedSpark.session();
        Dataset<Row> rows = spark.range(20_000).selectExpr("CAST(id % 997 AS STRING) AS user_id",
                "CONCAT('item-', id) AS item_id");
        List<String> a = kept(rows, 0.25, 42);
        List<String> b = kept(rows.repartition(7).sortWithinPartitions(col("item_id").desc()), 0.25, 42);
        List<String> other = kept(rows, 0.25, 43);
        assertThat(a).isEqualTo(b);
        assertThat(other).isNotEqualTo(a);
        // About a quarter: 5,000 expected, the standard deviation is about 61.
        assertThat(a.size()).isBetween(4_700, 5_300);
        assertThat(kept(rows, 1.0, 42)).hasSize(20_000);
        assertThat(kept(rows, 0.0, 42)).isEmpty();
    }
}
