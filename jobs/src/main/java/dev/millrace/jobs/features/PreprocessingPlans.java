package dev.millrace.jobs.features;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.featurestore.definitions.EntityDefinition;
import dev.millrace.featurestore.offline.OfflineStore;
import dev.millrace.featurestore.offline.SnapshotTimes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The plans of every GPU-ready preprocessing job, by name, exactly as the jobs build them (not copies): the features
 * job per entity, the split (its cut aggregate and the labelled rows), negative sampling and the whole training set.
 * Planning reads the lake (sources must exist); the training set uses the offline store where written, else the
 * features job's own frames.
 */
public final class PreprocessingPlans {

    private PreprocessingPlans() {
    }

    public static Map<String, Dataset<Row>> collect(SparkSession spark, MillraceConfig config,
                                                    Optional<LocalDate> date) {
        FeaturesJob features = new FeaturesJob(spark, config);
        SnapshotTimes times = SnapshotTimes.of(date.orElseGet(features::latestEventDate));
        Map<EntityDefinition, Dataset<Row>> featurePlans = features.plan(times);
        Map<String, Dataset<Row>> plans = new LinkedHashMap<>();
        featurePlans.forEach((e, df) -> plans.put("features:" + e.name(), df));

        OfflineStore store = new OfflineStore(spark, Lake.from(config));
        TrainingSetJob.Plan ts = new TrainingSetJob(spark, config).plan(Optional.empty(), Optional.empty(),
                e -> store.read(e).or(() -> Optional.ofNullable(featurePlans.get(e))));
        plans.put("split:cuts", ts.cutQuery());
        plans.put("split:labels", ts.labels());
        if (ts.negatives() != null) {
            plans.put("negative-sampling", ts.negatives());
        }
        plans.put("training-set", ts.trainingSet());
        return plans;
    }
}
