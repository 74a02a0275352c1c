package dev.millrace.jobs.training.evaluate;

import dev.millrace.core.spark.SharedSpark;
import dev.millrace.jobs.training.CandidateRanking;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The popularity baseline reads each user's list from a bounded top list and gives what crossing every user with
 * the top k + (longest history) items gave, including for a user who knows most of the top items; only above
 * {@code millrace.evaluate.popular-max-known} does such a user get fewer than k.
 */
class PopularBaselineTest {

    private static final StructType KEYS = new StructType().add("user_id", "string").add("item_id", "string");

    @Test
    void theSameListsAsTheCrossJoinAndFewerOnlyAboveTheCap() {
        SparkSession spark = SharedSpark.session();
        List<Row> rows = new ArrayList<>();
        // 40 items, item "i<n>" known by 40 - n of the users "p<..>"; user "heavy" knows the 25 most popular items,
        // "none" knows nothing, the others one or two.
        for (int n = 0; n < 40; n++) {
            for (int p = 0; p < 40 - n; p++) {
                rows.add(RowFactory.create("p" + p, String.format("i%02d", n)));
            }
        }
        for (int n = 0; n < 25; n++) {
            rows.add(RowFactory.create("heavy", String.format("i%02d", n)));
        }
        Dataset<Row> known = spark.createDataFrame(rows, KEYS).distinct().repartition(3);
        List<Row> userRows = new ArrayList<>();
        for (String u : List.of("heavy", "p0", "p5", "p39", "none")) {
            userRows.add(RowFactory.create(u));
        }
        Dataset<Row> users = spark.createDataFrame(userRows, new StructType().add("user_id", "string"));
        int k = 5;

        Dataset<Row> bounded = CandidateRanking.popularUnseen(known, users, k, 10_000)
                .select("user_id", "item_id", "rank");
        Dataset<Row> reference = crossJoined(known, users, k);
        assertThat(bounded.count()).isEqualTo(reference.count());
        assertThat(bounded.exceptAll(reference).count()).isZero();
        assertThat(reference.exceptAll(bounded).count()).isZero();
        assertThat(bounded.where(col("user_id").equalTo("heavy")).orderBy("rank").select("item_id")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
                .containsExactly("i25", "i26", "i27", "i28", "i29");

        // A cap of 20: the top list is the 25 = k + 20 most popular items. "heavy" and "p5" know all of them, so
        // nothing is left for them; users who know at most 20 of them keep their lists.
        Dataset<Row> capped = CandidateRanking.popularUnseen(known, users, k, 20)
                .select("user_id", "item_id", "rank");
        assertThat(capped.where(col("user_id").isin("heavy", "p5")).count()).isZero();
        Dataset<Row> light = reference.where(col("user_id").isin("p39", "none"));
        assertThat(light.count()).isEqualTo(2 * k);
        assertThat(capped.exceptAll(light).count()).isZero();
        assertThat(light.exceptAll(capped).count()).isZero();
    }

    /** The former plan: every user crossed with the top k + (most items any user knows) items. */
    private static Dataset<Row> crossJoined(Dataset<Row> known, Dataset<Row> users, int k) {
        Dataset<Row> knownOfUsers = known.join(users, "user_id");
        long most = knownOfUsers.groupBy("user_id").agg(count(lit(1)).as("c")).agg(org.apache.spark.sql.functions
                .max("c")).first().getLong(0);
        Dataset<Row> top = known.groupBy("item_id").agg(count(lit(1)).as("pop"))
                .orderBy(col("pop").desc(), col("item_id").asc()).limit((int) (k + most));
        return users.crossJoin(top)
                .join(knownOfUsers, new String[] {"user_id", "item_id"}, "left_anti")
                .withColumn("rank", row_number().over(Window.partitionBy("user_id")
                        .orderBy(col("pop").desc(), col("item_id").asc())))
                .where(col("rank").leq(k))
                .select("user_id", "item_id", "rank");
    }
}
