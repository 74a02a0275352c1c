package dev.millrace.jobs.training.evaluate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log2;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Recall@K, NDCG@K, MAP@K (binary relevance) averaged over the evaluated users, and catalogue coverage (distinct
 * recommended items over the catalogue), computed in Spark; only the final averages reach the driver. A user with
 * no recommendations counts with zeros.
 */
public final class RankingMetrics {

    private RankingMetrics() {
    }

    /**
     * @param recs  {@code (user_id, item_id, rank)}, rank 1 = best, at most k per user
     * @param truth {@code (user_id, item_id)}: the held-out interactions of the evaluated users
     */
    public static Map<String, Double> compute(Dataset<Row> recs, Dataset<Row> truth, int k, long catalogue) {
        // Two actions read the recommendations: kept (spilling to disk when memory is short) so that what produced
        // them, the ranker's scoring for instance, runs once.
        Dataset<Row> top = recs.where(col("rank").leq(k)).select("user_id", "item_id", "rank")
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return metrics(top, truth, k, catalogue);
        } finally {
            top.unpersist();
        }
    }

    private static Map<String, Double> metrics(Dataset<Row> top, Dataset<Row> truth, int k, long catalogue) {
        Dataset<Row> t = truth.select("user_id", "item_id").distinct().withColumn("hit", lit(1));
        Dataset<Row> perUserTruth = t.groupBy("user_id").agg(count(lit(1)).as("n_truth"));
        Dataset<Row> r = top.join(t, new String[] {"user_id", "item_id"}, "left")
                .withColumn("hit", coalesce(col("hit"), lit(0)))
                .withColumn("hits_so_far", sum("hit").over(Window.partitionBy("user_id").orderBy("rank")));
        Dataset<Row> perUser = r.groupBy("user_id").agg(
                sum("hit").as("hits"),
                sum(col("hit").divide(log2(col("rank").plus(1)))).as("dcg"),
                sum(when(col("hit").equalTo(1), col("hits_so_far").divide(col("rank"))).otherwise(0)).as("ap_sum"));
        Dataset<Row> joined = perUserTruth.join(perUser, new String[] {"user_id"}, "left")
                .withColumn("m", least(col("n_truth"), lit(k)))
                .withColumn("idcg", expr("aggregate(sequence(1, CAST(m AS INT)), 0D, (acc, i) -> acc + 1D / log2(i + 1))"))
                .select(
                        coalesce(col("hits"), lit(0)).divide(col("n_truth")).as("recall"),
                        coalesce(col("dcg"), lit(0.0)).divide(col("idcg")).as("ndcg"),
                        coalesce(col("ap_sum"), lit(0.0)).divide(col("m")).as("map"));
        Row m = joined.agg(avg("recall"), avg("ndcg"), avg("map"), count(lit(1))).first();
        long covered = top.agg(countDistinct("item_id")).first().getLong(0);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("recall_at_" + k, m.isNullAt(0) ? 0.0 : m.getDouble(0));
        out.put("ndcg_at_" + k, m.isNullAt(1) ? 0.0 : m.getDouble(1));
        out.put("map_at_" + k, m.isNullAt(2) ? 0.0 : m.getDouble(2));
        out.put("coverage", catalogue == 0 ? 0.0 : (double) covered / catalogue);
        out.put("users", (double) m.getLong(3));
        return out;
    }
}
