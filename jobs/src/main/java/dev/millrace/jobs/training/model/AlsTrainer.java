package dev.millrace.jobs.training.model;

import dev.millrace.jobs.training.TrainingSettings;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

/**
 * Candidate generation: Spark MLlib ALS with implicit feedback on (user, item, summed rating) pairs, distributed on
 * Spark. Ids must fit in an int (MLlib's requirement); a larger id fails with MLlib's message.
 */
public final class AlsTrainer {

    private final TrainingSettings s;

    public AlsTrainer(TrainingSettings s) {
        this.s = s;
    }

    public ALSModel fit(Dataset<Row> interactions) {
        Dataset<Row> pairs = interactions
                .groupBy(col("user_id").cast("int").as("user_id"), col("item_id").cast("int").as("item_id"))
                .agg(sum(col("rating").cast("float")).as("strength"));
        ALS als = new ALS().setImplicitPrefs(true).setRank(s.alsRank()).setMaxIter(s.alsMaxIter())
                .setRegParam(s.alsRegParam()).setAlpha(s.alsAlpha()).setSeed(s.alsSeed())
                .setUserCol("user_id").setItemCol("item_id").setRatingCol("strength")
                .setColdStartStrategy("drop");
        return als.fit(pairs);
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
