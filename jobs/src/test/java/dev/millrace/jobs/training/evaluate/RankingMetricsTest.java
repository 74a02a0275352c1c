package dev.millrace.jobs.training.evaluate;

import dev.millrace.core.spark.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Recall, NDCG, MAP and coverage at k against values computed by hand on two users. */
class RankingMetricsTest {

    private final SparkSession spark = SharedSpark.session();

    @Test
    void rankingMetricsMatchHandComputedValues() {
        // User 1: truth {10, 20}, recommended 10 (hit), 30, 20 (hit). User 2: truth {40}, nothing recommended.
        Dataset<Row> recs = spark.createDataFrame(List.of(
                RowFactory.create("1", "10", 1), RowFactory.create("1", "30", 2),
                RowFactory.create("1", "20", 3)), new StructType()
                .add("user_id", "string").add("item_id", "string").add("rank", "int"));
        Dataset<Row> truth = spark.createDataFrame(List.of(RowFactory.create("1", "10"),
                RowFactory.create("1", "20"), RowFactory.create("2", "40")),
                new StructType().add("user_id", "string").add("item_id", "string"));
        Map<String, Double> m = RankingMetrics.compute(recs, truth, 3, 6);
        double dcg = 1 + 1 / (Math.log(4) / Math.log(2));
        double idcg = 1 + 1 / (Math.log(3) / Math.log(2));
        assertThat(m.get("recall_at_3")).isCloseTo((1.0 + 0.0) / 2, within(1e-9));
        assertThat(m.get("ndcg_at_3")).isCloseTo(dcg / idcg / 2, within(1e-9));
        assertThat(m.get("map_at_3")).isCloseTo((1.0 + 2.0 / 3) / 2 / 2, within(1e-9));
        assertThat(m.get("coverage")).isCloseTo(3.0 / 6, within(1e-9));
    }
}
