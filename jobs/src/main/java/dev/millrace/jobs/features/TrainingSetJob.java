package dev.millrace.jobs.features;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.lake.InputFingerprint;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.core.tables.FeatureTables;
import dev.millrace.featurestore.definitions.DerivedFeature;
import dev.millrace.featurestore.definitions.EntityDefinition;
import dev.millrace.featurestore.definitions.FeatureDefinitionException;
import dev.millrace.featurestore.definitions.FeatureRegistry;
import dev.millrace.featurestore.definitions.RunnableFeatures;
import dev.millrace.featurestore.offline.LakeSources;
import dev.millrace.featurestore.offline.OfflineStore;
import dev.millrace.featurestore.offline.PointInTimeJoin;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

/**
 * The training-set job: labels from interactions, a time-based split, negatives for implicit feedback, then every
 * entity's features joined as of each label's time ({@link PointInTimeJoin}: values computed strictly before t) and
 * the derived context features. Features whose sources are not in this lake are left out, as the features job leaves
 * them out (an entity with none left is not joined). Writes {@code millrace.training-set.table} (Delta, partitioned
 * by split), replacing it whole: the same inputs give the same table.
 */
public final class TrainingSetJob {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingSetJob.class);
    static final String TIME = "event_time";
    static final String LABEL = "label";

    /** The job's frames, unwritten; {@code gpu-plan} judges each. */
    public record Plan(TimeSplit.Cuts cuts, Dataset<Row> cutQuery, Dataset<Row> labels, Dataset<Row> negatives,
                       Dataset<Row> trainingSet) {
    }

    private final SparkSession spark;
    private final MillraceConfig config;
    private final Lake lake;
    private final FeatureRegistry registry;
    private final TrainingSetSettings settings;
    private RunnableFeatures runnable;

    public TrainingSetJob(SparkSession spark, MillraceConfig config) {
        this.spark = spark;
        this.config = config;
        this.lake = Lake.from(config);
        this.registry = FeatureRegistry.load(config);
        this.settings = TrainingSetSettings.from(config);
        new LakeCatalog(spark, lake).registerAll();
    }

    /**
     * Plans the training set over labels in [from, to] (by event date, both optional).
     *
     * @param features where each entity's feature rows come from: the offline store, or (for gpu-plan on an empty
     *                 lake) the features job's unwritten frames
     */
    public Plan plan(Optional<LocalDate> from, Optional<LocalDate> to,
                     Function<EntityDefinition, Optional<Dataset<Row>>> features) {
        Dataset<Row> interactions = spark.table(settings.labels().qualified());
        Dataset<Row> labels = interactions;
        if (from.isPresent()) {
            labels = labels.where(col("event_date").geq(lit(Date.valueOf(from.get()))));
        }
        if (to.isPresent()) {
            labels = labels.where(col("event_date").leq(lit(Date.valueOf(to.get()))));
        }
        labels = labels.select(col("user_id"), col("item_id"), col(TIME),
                (settings.implicit() ? lit(1.0) : col("rating")).as(LABEL));
        if (!settings.implicit()) {
            labels = labels.where(col(LABEL).isNotNull());
        }
        TimeSplit split = new TimeSplit(settings);
        TimeSplit.Cuts cuts = split.cuts(labels, TIME);
        Dataset<Row> withSplit = TimeSplit.assign(labels, TIME, cuts);

        Dataset<Row> negatives = null;
        Dataset<Row> rows = withSplit;
        if (settings.implicit() && settings.negativeRatio() > 0) {
            negatives = new NegativeSampler(settings.negativeRatio(), settings.seed(), settings.oversample(),
                    settings.catalogueBucketSize())
                    .sample(withSplit, interactions.select("user_id", "item_id"));
            rows = withSplit.unionByName(negatives.withColumn(LABEL, lit(0.0)));
        }

        PointInTimeJoin pit = new PointInTimeJoin(settings.maxFeatureAge());
        RunnableFeatures runnable = runnable();
        java.util.List<String> joined = new java.util.ArrayList<>();
        for (String name : settings.entities()) {
            EntityDefinition entity = registry.entity(name);
            if (runnable.registry().definitionsOf(name).isEmpty()) {
                // Every feature of the entity was skipped (its sources are not in this lake): nothing to join.
                continue;
            }
            joined.add(name);
            Optional<Dataset<Row>> table = features.apply(entity);
            if (table.isEmpty()) {
                throw new IllegalStateException("no feature table " + entity.table()
                        + ": run `millrace features` for dates before the labels first");
            }
            rows = pit.join(rows, TIME, entity, table.get(), entity.name() + "_feature_ts");
        }
        for (DerivedFeature d : runnable.registry().derived()) {
            try {
                rows = rows.withColumn(d.name(), expr(d.expression()));
                rows.schema();
            } catch (Exception e) {
                throw new FeatureDefinitionException("derived feature '" + d.name() + "': cannot evaluate \""
                        + d.expression() + "\": " + e.getMessage().lines().findFirst().orElse(""), e);
            }
        }
        // Label columns first, then which snapshot each entity's values came from, then the features.
        java.util.List<String> order = new java.util.ArrayList<>(java.util.List.of("user_id", "item_id", TIME, LABEL,
                TimeSplit.SPLIT));
        joined.forEach(e -> order.add(e + "_feature_ts"));
        for (String c : rows.columns()) {
            if (!order.contains(c)) {
                order.add(c);
            }
        }
        rows = rows.select(order.stream().map(org.apache.spark.sql.functions::col)
                .toArray(org.apache.spark.sql.Column[]::new));
        return new Plan(cuts, split.cutQuery(labels, TIME), withSplit, negatives, rows);
    }

    /** The features this lake can compute (the features job skips the same ones); fails when a required one cannot. */
    public synchronized RunnableFeatures runnable() {
        if (runnable == null) {
            runnable = new LakeSources(spark, lake).runnable(registry);
        }
        return runnable;
    }

    /** The entities of {@code millrace.training-set.entities} left out because none of their features can run. */
    public java.util.List<String> entitiesWithoutFeatures() {
        return settings.entities().stream().filter(e -> runnable().registry().definitionsOf(e).isEmpty()).toList();
    }

    public int run(Optional<LocalDate> from, Optional<LocalDate> to, RunReport report) {
        OfflineStore store = new OfflineStore(spark, lake);
        FeatureTables featureTables = FeatureTables.from(config);
        String location = lake.location(settings.table());
        // The table depends on the silver and feature tables, the training-set and feature settings and the range.
        java.util.List<TableName> inputs = new LakeCatalog(spark, lake).discover().stream()
                .filter(t -> t.layer().equals("silver") || featureTables.holds(t)).toList();
        InputFingerprint fingerprint = InputFingerprint.of(spark, lake,
                "training-set", from.map(Object::toString).orElse("") + ".." + to.map(Object::toString).orElse(""),
                inputs, config.getConfig("millrace.training-set"), config.getConfig("millrace.features"));
        report.put("inputs", fingerprint.inputsForReport());
        boolean unchanged = fingerprint.isLatestIn(spark, location);
        report.put("unchanged", unchanged);
        Plan plan = plan(from, to, store::read);
        if (runnable().skipsAnything()) {
            String line = "without " + String.join(", ", runnable().skipped().stream()
                    .map(RunnableFeatures.Skipped::feature).toList())
                    + (runnable().skippedDerived().isEmpty() ? "" : ", " + String.join(", ", runnable().skippedDerived()))
                    + (entitiesWithoutFeatures().isEmpty() ? "" : "; no features for " + String.join(", ",
                    entitiesWithoutFeatures())) + " (their sources are not in this lake)";
            LOG.warn("training set {}", line);
            report.put("skipped", line);
        }
        report.put("validation_from", plan.cuts().validationFrom().toString());
        report.put("test_from", plan.cuts().testFrom().toString());
        if (unchanged) {
            LOG.info("{} was already built from the same inputs and settings; unchanged", settings.table());
        } else {
            plan.trainingSet().write().format("delta").mode("overwrite").option("overwriteSchema", "true")
                    .option("userMetadata", fingerprint.marker())
                    .partitionBy(TimeSplit.SPLIT).save(location);
        }
        new LakeCatalog(spark, lake).register(settings.table());
        Map<String, Object> counts = new LinkedHashMap<>();
        for (Row r : spark.read().format("delta").load(location)
                .groupBy(col(TimeSplit.SPLIT), col(LABEL).gt(0).as("positive")).count()
                .orderBy(TimeSplit.SPLIT, "positive").collectAsList()) {
            counts.put(r.getString(0) + (r.getBoolean(1) ? " positive" : " negative"), r.getLong(2));
        }
        report.put("table", settings.table().qualified());
        report.put("rows", counts);
        LOG.info("training set {}: {}", settings.table(), counts);
        return ExitCodes.OK;
    }
}
