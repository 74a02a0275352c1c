package dev.millrace.jobs.training.score;

import dev.millrace.core.spark.SharedSpark;
import dev.millrace.jobs.training.CandidateRanking;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * score's two rankings run partitioned: the per-user top K lists shuffle by user only (no window, no sort of the
 * rows, nothing in one partition), and the popular list is a top-n with no window over every item; both give what
 * the row_number windows gave. Adaptive execution off, so the plan checked is the one that runs.
 */
class ScorePlanTest {

    private static final StructType SCORED = new StructType().add("user_id", "string").add("item_id", "string")
            .add("ranker_score", "float");

    @Test
    void topKListsShuffleByUserOnlyAndKeepTheWindowsOrder() {
        SparkSession spark = SharedSpark.session();
        List<Row> rows = new ArrayList<>();
        for (int u = 0; u < 30; u++) {
            for (int i = 0; i < 12; i++) {
                // Ties (i % 4), a NaN and a null per user: the window put NaN first and null last.
                Float score = i == 5 ? Float.valueOf(Float.NaN) : i == 7 ? null : Float.valueOf((float) (i % 4) / 4);
                rows.add(RowFactory.create("u" + u, "i" + ((i * 7 + u) % 12), score));
            }
        }
        Dataset<Row> scored = spark.createDataFrame(rows, SCORED).repartition(3);
        int k = 5;
        Dataset<Row> lists = CandidateRanking.topKLists(scored, "ranker_score", k);
        String plan = withoutAdaptive(spark, () -> lists.queryExecution().executedPlan().toString());
        assertThat(plan).as(plan).doesNotContain("SinglePartition").doesNotContain("Window").doesNotContain("Sort [");
        assertThat(plan.split("Exchange hashpartitioning\\(user_id", -1)).as(plan).hasSize(2);

        Dataset<Row> fromWindow = CandidateRanking.topK(scored, "ranker_score", k).groupBy("user_id")
                .agg(sort_array(collect_list(struct(col("rank"), col("item_id")))).as("r"))
                .select(col("user_id"), concat_ws(",", col("r.item_id")).as("items"));
        Dataset<Row> fromLists = lists.select(col("user_id"), concat_ws(",", col("items.item_id")).as("items"));
        assertThat(fromLists.count()).isEqualTo(30);
        assertThat(fromLists.exceptAll(fromWindow).count()).isZero();
        assertThat(fromWindow.exceptAll(fromLists).count()).isZero();
        Row u0 = lists.where(col("user_id").equalTo("u0")).first();
        List<Row> items = u0.getList(u0.fieldIndex("items"));
        assertThat(items).hasSize(k);
        assertThat(Float.isNaN(items.get(0).getFloat(1))).isTrue();
        assertThat(items.get(1).getFloat(1)).isEqualTo(0.75f);
    }

    @Test
    void popularItemsIsATopNWithoutAWindowRankedByCountThenItem() {
        SparkSession spark = SharedSpark.session();
        List<Row> rows = new ArrayList<>();
        // Item "i<n>" has n interactions; "j3" ties with "i3" and comes after it.
        for (int n = 1; n <= 6; n++) {
            for (int e = 0; e < n; e++) {
                rows.add(RowFactory.create("u" + e, "i" + n));
            }
        }
        for (int e = 0; e < 3; e++) {
            rows.add(RowFactory.create("v" + e, "j3"));
        }
        Dataset<Row> interactions = spark.createDataFrame(rows, new StructType().add("user_id", "string")
                .add("item_id", "string")).repartition(3);
        Dataset<Row> popular = ScoreJob.popularItems(interactions, 5);
        String plan = withoutAdaptive(spark, () -> popular.queryExecution().executedPlan().toString());
        assertThat(plan).as(plan).doesNotContain("Window").doesNotContain("SinglePartition")
                .contains("TakeOrderedAndProject");
        List<String> got = popular.orderBy("rank").selectExpr("concat_ws(':', rank, item_id, CAST(score AS INT))")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        assertThat(got).containsExactly("1:i6:6", "2:i5:5", "3:i4:4", "4:i3:3", "5:j3:3");
        assertThat(popular.columns()).containsExactly("rank", "item_id", "score");
    }

    private static <T> T withoutAdaptive(SparkSession spark, Supplier<T> f) {
        String adaptive = spark.conf().get("spark.sql.adaptive.enabled", "true");
        spark.conf().set("spark.sql.adaptive.enabled", "false");
        try {
            return f.get();
        } finally {
            spark.conf().set("spark.sql.adaptive.enabled", adaptive);
        }
    }
}
