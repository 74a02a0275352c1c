package dev.millrace.jobs.training.model;

import dev.millrace.jobs.training.TrainingSettings;
import dev.millrace.jobs.training.ids.IdDictionary;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

/**
 * Candidate generation: Spark MLlib ALS with implicit feedback on (user, item, summed strength) pairs, distributed on
 * Spark. An interaction's strength is its rating where the feed has ratings, else its weight (an order line's
 * quantity; negative for a kept return, which implicit ALS reads as evidence against the pair). MLlib needs int ids: the string keys are mapped through the id dictionaries (which must already hold every
 * key of the interactions, see {@link IdDictionary#extend}) and the model is returned as a {@link KeyedAls}.
 */
public final class AlsTrainer {

    private final TrainingSettings s;

    public AlsTrainer(TrainingSettings s) {
        this.s = s;
    }

    /** @param interactions {@code user_id, item_id, rating} and, where the feed has no ratings, {@code weight} */
    public KeyedAls fit(Dataset<Row> interactions, IdDictionary users, IdDictionary items) {
        Dataset<Row> keyed = interactions.select(col("user_id").cast("string").as("user_id"),
                col("item_id").cast("string").as("item_id"), strength(interactions).as("rating"));
        Dataset<Row> pairs = items.withIds(users.withIds(keyed, "user_id", KeyedAls.USER_IDX), "item_id",
                        KeyedAls.ITEM_IDX)
                .groupBy(KeyedAls.USER_IDX, KeyedAls.ITEM_IDX)
                .agg(sum(col("rating").cast("float")).as("strength"));
        ALS als = new ALS().setImplicitPrefs(true).setRank(s.alsRank()).setMaxIter(s.alsMaxIter())
                .setRegParam(s.alsRegParam()).setAlpha(s.alsAlpha()).setSeed(s.alsSeed())
                .setUserCol(KeyedAls.USER_IDX).setItemCol(KeyedAls.ITEM_IDX).setRatingCol("strength")
                .setColdStartStrategy("drop");
        return new KeyedAls(als.fit(pairs), users, items);
    }

    private static Column strength(Dataset<Row> interactions) {
        boolean weighted = java.util.Arrays.asList(interactions.columns()).contains("weight");
        return weighted ? coalesce(col("rating"), col("weight")) : col("rating");
    }

    public Map<String, Object> params() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("als_rank", s.alsRank());
        p.put("als_max_iter", s.alsMaxIter());
        p.put("als_reg_param", s.alsRegParam());
        p.put("als_alpha", s.alsAlpha());
        p.put("als_seed", s.alsSeed());
        return p;
    }
}
