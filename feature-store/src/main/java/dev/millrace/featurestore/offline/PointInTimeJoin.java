package dev.millrace.featurestore.offline;

import dev.millrace.core.tables.FeatureTables;
import dev.millrace.featurestore.definitions.EntityDefinition;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.collection.immutable.Seq;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.make_dt_interval;
import static org.apache.spark.sql.functions.max;

/**
 * Point-in-time ("as of") join: each label row, an event at time t, gets the entity's feature snapshot with the
 * latest {@code feature_ts <= t}. A snapshot folds only events strictly before its {@code feature_ts}, so every value
 * joined to a label was computed from events strictly before t; a snapshot taken after t is never seen, even when it
 * is the nearest. Optionally snapshots older than {@code maxAge} are ignored (Feast's TTL), leaving nulls.
 *
 * <p>Built from equi-joins and one grouped max (no window function over the whole label set, no UDF): the candidate
 * pairs are formed on distinct (key, t) only, so a label set with repeated times costs no more.
 */
public final class PointInTimeJoin {

    private final Optional<Duration> maxAge;

    public PointInTimeJoin(Optional<Duration> maxAge) {
        this.maxAge = maxAge;
    }

    /**
     * @param labels    rows with the entity's key columns and {@code labelTime}
     * @param entity    whose features to join
     * @param features  the entity's feature table (keys, {@code feature_ts}, features, {@code feature_date})
     * @param tsColumn  name for the joined snapshot's timestamp in the output (lineage: which snapshot was used)
     */
    public Dataset<Row> join(Dataset<Row> labels, String labelTime, EntityDefinition entity, Dataset<Row> features,
                             String tsColumn) {
        List<String> keys = entity.keys();
        List<String> keysAndTime = new ArrayList<>(keys);
        keysAndTime.add(labelTime);
        List<String> keysAndTs = new ArrayList<>(keys);
        keysAndTs.add(FeatureTables.FEATURE_TS);

        Dataset<Row> asked = labels.select(cols(keysAndTime)).distinct();
        Dataset<Row> available = features.select(cols(keysAndTs));
        Column usable = col(FeatureTables.FEATURE_TS).leq(col(labelTime));
        if (maxAge.isPresent()) {
            // A snapshot older than maxAge at label time is stale: the label gets nulls rather than old values.
            Column age = make_dt_interval(lit(0), lit(0), lit(0), lit(maxAge.get().getSeconds()));
            usable = usable.and(col(FeatureTables.FEATURE_TS).gt(col(labelTime).minus(age)));
        }
        Dataset<Row> chosen = asked.join(available, seq(keys), "inner").where(usable)
                .groupBy(cols(keysAndTime)).agg(max(FeatureTables.FEATURE_TS).as(FeatureTables.FEATURE_TS));
        Dataset<Row> values = features.drop(FeatureQuery.FEATURE_DATE);
        return labels.join(chosen, seq(keysAndTime), "left")
                .join(values, seq(keysAndTs), "left")
                .withColumnRenamed(FeatureTables.FEATURE_TS, tsColumn);
    }

    private static Column[] cols(List<String> names) {
        return names.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    }

    private static Seq<String> seq(List<String> names) {
        return scala.jdk.javaapi.CollectionConverters.asScala(names).toList();
    }
}
