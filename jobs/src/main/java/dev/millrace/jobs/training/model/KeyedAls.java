package dev.millrace.jobs.training.model;

import dev.millrace.jobs.training.ids.IdDictionary;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

/**
 * An MLlib ALS model seen through the id dictionaries: it takes and returns the string {@code user_id} and
 * {@code item_id}, translating to and from the int ids ALS was fit on ({@value #USER_IDX}, {@value #ITEM_IDX})
 * with joins inside Spark, so the ids never leave training and scoring.
 */
public final class KeyedAls {

    /** The ALS user and item columns: dictionary ids, never shown to users. */
    public static final String USER_IDX = "user_idx";
    public static final String ITEM_IDX = "item_idx";

    private final ALSModel model;
    private final IdDictionary users;
    private final IdDictionary items;

    public KeyedAls(ALSModel model, IdDictionary users, IdDictionary items) {
        this.model = model;
        this.users = users;
        this.items = items;
    }

    public ALSModel model() {
        return model;
    }

    /** {@code (user_id STRING, features)}. */
    public Dataset<Row> userFactors() {
        return users.toKeys(model.userFactors().select(col("id").as(USER_IDX), col("features")), USER_IDX, "user_id")
                .select("user_id", "features");
    }

    /** {@code (item_id STRING, features)}. */
    public Dataset<Row> itemFactors() {
        return items.toKeys(model.itemFactors().select(col("id").as(ITEM_IDX), col("features")), ITEM_IDX, "item_id")
                .select("item_id", "features");
    }

    /** {@code (user_id)}: the users the model has factors for. */
    public Dataset<Row> users() {
        return userFactors().select("user_id");
    }

    public long itemCount() {
        return model.itemFactors().count();
    }

    /** {@code (user_id, item_id, als_score)}: the top {@code n} of each user of {@code asked} ({@code user_id}). */
    public Dataset<Row> recommend(Dataset<Row> asked, int n) {
        Dataset<Row> ids = users.withIds(asked.select("user_id").distinct(), "user_id", USER_IDX).select(USER_IDX);
        Dataset<Row> recs = model.recommendForUserSubset(ids, n)
                .select(col(USER_IDX), explode(col("recommendations")).as("r"))
                .select(col(USER_IDX), col("r." + ITEM_IDX).as(ITEM_IDX), col("r.rating").cast("double").as("als_score"));
        return items.toKeys(users.toKeys(recs, USER_IDX, "user_id"), ITEM_IDX, "item_id")
                .select("user_id", "item_id", "als_score");
    }

    /** {@code pairs} ({@code user_id, item_id}, ...) with ALS's {@code prediction}; pairs ALS does not know are dropped. */
    public Dataset<Row> predict(Dataset<Row> pairs) {
        Dataset<Row> ids = items.withIds(users.withIds(pairs, "user_id", USER_IDX), "item_id", ITEM_IDX);
        return model.transform(ids).drop(USER_IDX, ITEM_IDX);
    }
}
