package dev.millrace.jobs.training.model;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.jobs.features.TrainingSetSettings;
import dev.millrace.jobs.training.DeltaVersions;
import dev.millrace.jobs.training.TrainingSettings;
import dev.millrace.jobs.training.export.ExportManifest;
import dev.millrace.jobs.training.export.TrainingExport;
import dev.millrace.jobs.training.ids.IdDictionary;
import dev.millrace.udfs.registry.FeatureSpec;
import dev.millrace.udfs.registry.ModelRegistry;
import dev.millrace.udfs.registry.ModelVersion;
import dev.millrace.udfs.registry.RankerBlockFactory;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.stddev_pop;
import static org.apache.spark.sql.functions.when;

/**
 * {@code train}: the id dictionaries extended with the interactions' new keys, ALS on the interactions before the
 * training set's validation cut (user and item factors, keyed by the string keys, into Delta), then the ranker with
 * DJL over the features and the ALS score of the export's rows and ALS's candidates (prepared by Spark into files the
 * trainer streams, {@link RankerInputWriter}), registered as a candidate version. Skips when a version for the same
 * logical date and the same input table versions exists.
 */
public final class TrainJob {

    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    private final SparkSession spark;
    private final MillraceConfig config;
    private final Lake lake;
    private final TrainingSettings s;
    private final TrainingSetSettings ts;

    public TrainJob(SparkSession spark, MillraceConfig config) {
        this.spark = spark;
        this.config = config;
        this.lake = Lake.from(config);
        this.s = TrainingSettings.from(config);
        this.ts = TrainingSetSettings.from(config);
        new LakeCatalog(spark, lake).registerAll();
    }

    /** The instants where the training set's validation and test splits begin. */
    public record Cuts(Instant validationFrom, Instant testFrom) {
    }

    public static Cuts cuts(Dataset<Row> trainingSet) {
        Row r = trainingSet.agg(min(when(col("split").equalTo("validation"), col("event_time"))),
                min(when(col("split").equalTo("test"), col("event_time")))).first();
        if (r.isNullAt(0) || r.isNullAt(1)) {
            throw new IllegalStateException("the training set has no validation or no test rows: build it over a "
                    + "longer period (bin/millrace training-set)");
        }
        return new Cuts(r.getTimestamp(0).toInstant(), r.getTimestamp(1).toInstant());
    }

    public int run(LocalDate date, RunReport report) throws Exception {
        String tsLocation = lake.location(ts.table());
        String labelsLocation = lake.location(ts.labels());
        long tsVersion = DeltaVersions.current(spark, tsLocation);
        long labelsVersion = DeltaVersions.current(spark, labelsLocation);
        Map<String, Long> inputs = new LinkedHashMap<>();
        inputs.put(ts.table().qualified(), tsVersion);
        inputs.put(ts.labels().qualified(), labelsVersion);
        ModelRegistry registry = RankerModels.registry(s);
        report.put("logical_date", date.toString());
        report.put("inputs", inputs);
        // A version without a verdict is one a crashed train left half made (registered, not yet complete): it goes,
        // so that the re-run trains and numbers it as an uninterrupted run would. One train at a time per registry.
        List<String> discarded = new ArrayList<>();
        for (ModelVersion v : registry.list()) {
            if (v.evaluation() == null) {
                registry.discard(v.version());
                discarded.add(v.version());
            }
        }
        if (!discarded.isEmpty()) {
            LOG.warn("discarded unfinished model versions {} (a train that did not complete)", discarded);
            report.put("discarded_unfinished", String.join(", ", discarded));
        }
        Optional<ModelVersion> same = registry.latest(v -> v.logicalDate().equals(date.toString())
                && v.trainingData().equals(inputs));
        if (same.isPresent()) {
            report.put("model_version", same.get().version());
            report.put("skipped", "version " + same.get().version() + " was trained for " + date
                    + " from the same table versions");
            return ExitCodes.OK;
        }

        TrainingExport.Result export = new TrainingExport(spark, config).run(date, s.shards(), s.exportSeed(),
                Optional.empty());
        ExportManifest manifest = export.manifest();
        if (manifest.sourceVersion() != tsVersion) {
            throw new IllegalStateException("the export at " + manifest.folder() + " is of " + ts.table() + " v"
                    + manifest.sourceVersion() + ", the table is now v" + tsVersion);
        }
        Dataset<Row> trainingSet = spark.read().format("delta").option("versionAsOf", tsVersion).load(tsLocation);
        Cuts cuts = cuts(trainingSet);
        report.put("export", manifest.folder() + (export.unchanged() ? " (unchanged)" : " (written)"));
        report.put("als_fit_before", cuts.testFrom().toString());

        Dataset<Row> labels = spark.read().format("delta").option("versionAsOf", labelsVersion).load(labelsLocation);
        // ALS needs int ids: every key of the interactions gets one in the append-only dictionaries (old keys keep
        // theirs), and the models below map through them, so nothing outside training sees an int id.
        IdDictionary userIds = RankerModels.userIds(spark, lake, s);
        IdDictionary itemIds = RankerModels.itemIds(spark, lake, s);
        IdDictionary.Extension userExt = userIds.extend(labels, "user_id");
        IdDictionary.Extension itemExt = itemIds.extend(labels, "item_id");
        report.put("new_user_ids", userExt.added());
        report.put("new_item_ids", itemExt.added());
        Timestamp validationFrom = Timestamp.from(cuts.validationFrom());
        AlsTrainer alsTrainer = new AlsTrainer(s);
        // Two fits: the ranker learns from labels after the first one's data (so the ALS score it sees is the score
        // of a model that never saw the label); the registered one also knows the validation period, never the test.
        KeyedAls als = alsTrainer.fit(labels.where(col("event_time").lt(lit(validationFrom))), userIds, itemIds);
        KeyedAls alsFinal = alsTrainer.fit(labels.where(col("event_time").lt(lit(Timestamp.from(cuts.testFrom())))),
                userIds, itemIds);

        // The ALS score's statistics over the ranker's rows, to standardise it like every other input.
        Dataset<Row> rankerRows = keys(trainingSet.where(col("split").equalTo(s.rankerSplit())));
        Row st = als.predict(rankerRows).agg(avg("prediction"), stddev_pop("prediction")).first();
        double alsMean = st.isNullAt(0) ? 0 : st.getDouble(0);
        double alsStd = st.isNullAt(1) || !(st.getDouble(1) > 1e-12) ? 1 : st.getDouble(1);
        FeatureSpec alsSpec = new FeatureSpec("als_score", "als_score", -1, alsMean, alsStd);
        List<FeatureSpec> features = new ArrayList<>(manifest.features());
        features.add(alsSpec);
        Optional<Dataset<Row>> candidates = Optional.empty();
        if (s.rankerSplit().equals("validation")) {
            // ALS's own top candidates of the same period, labelled by whether the user picked them: the hard
            // negatives the ranker must tell apart at scoring time (the shards' negatives are uniform draws).
            Dataset<Row> picked = keys(trainingSet.where(col("split").equalTo("validation").and(col("label").gt(0))))
                    .distinct().withColumn("label", lit(1.0f));
            Dataset<Row> pickers = picked.select("user_id").distinct().join(als.users(), "user_id");
            Dataset<Row> knownBefore = keys(labels.where(col("event_time").lt(lit(validationFrom)))).distinct();
            dev.millrace.jobs.training.CandidateRanking ranking = new dev.millrace.jobs.training.CandidateRanking(
                    spark, config);
            Dataset<Row> cands = ranking.withPopular(als, ranking.candidates(als, pickers, knownBefore,
                    s.evalCandidates(), s.maxFetch()), pickers, knownBefore)
                    .join(picked, new String[] {"user_id", "item_id"}, "left");
            candidates = Optional.of(ranking.withFeatures(cands, cuts.validationFrom())
                    .select(col("user_id"), col("item_id"),
                            dev.millrace.jobs.training.FeatureVectors.vector(features).as("features"),
                            coalesce(col("label"), lit(0.0f)).cast("double").as("label")));
        }
        RankerTrainer rankerTrainer = new RankerTrainer(s);
        RankerTrainer.Trained[] trained = new RankerTrainer.Trained[1];
        Map<String, Object> params = new LinkedHashMap<>(alsTrainer.params());
        org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        // The ranker's rows, ALS score included, go to files that the trainer streams one at a time: nothing of
        // the factors or the rows comes to this JVM but counts. The files are only the trainer's input.
        String inputRoot = s.exportRoot() + "/_ranker-input";
        int leftovers = RankerInput.deleteLeftovers(inputRoot, date.toString(), hadoop);
        if (leftovers > 0) {
            LOG.warn("deleted {} ranker input folder(s) of {} that a killed train left under {}", leftovers, date,
                    inputRoot);
        }
        String inputFolder = inputRoot + "/" + date + "-" + java.util.UUID.randomUUID();
        RankerInput input;
        ModelVersion registered;
        try {
            input = new RankerInputWriter(spark, s).write(manifest, als, alsSpec, candidates, inputFolder);
            if (candidates.isPresent()) {
                report.put("ranker_candidate_rows", input.candidateRows());
            }
            if (input.fraction() < 1) {
                report.put("ranker_sample_fraction", input.fraction());
            }
            if (input.totalRows() == 0) {
                throw new IllegalStateException("the export at " + manifest.folder() + " holds no rows of split '"
                        + s.rankerSplit() + "' (millrace.training.ranker.split) to train the ranker on");
            }
            ModelVersion draft = new ModelVersion(null, s.modelName(), date.toString(), Instant.now().toString(),
                    params, inputs, features, Map.of(), Map.of(), null);
            registered = registry.register(draft, folder -> {
                alsFinal.model().write().overwrite().save(folder.resolve(RankerModels.ALS_DIR).toUri().toString());
                try {
                    trained[0] = rankerTrainer.train(features.size(), input, hadoop,
                            folder.resolve(RankerModels.RANKER_DIR));
                } catch (ai.djl.translate.TranslateException e) {
                    throw new java.io.IOException("ranker training failed: " + e.getMessage(), e);
                }
            });
        } finally {
            RankerInput.delete(inputFolder, hadoop);
        }
        // The ranker's shape is known only after training; record it with the rest of the parameters.
        params.put("block_factory", RankerBlockFactory.class.getName());
        params.put("layers", trained[0].layerSpec());
        params.put("ranker_split", s.rankerSplit());
        params.put("ranker_rows", trained[0].rows());
        params.put("ranker_epochs", s.epochs());
        params.put("ranker_batch_size", s.batchSize());
        params.put("ranker_learning_rate", s.learningRate());
        params.put("ranker_seed", s.rankerSeed());
        params.put("ranker_final_loss", trained[0].finalLoss());
        params.put("als_fit_before", cuts.testFrom().toString());
        params.put("ranker_als_fit_before", cuts.validationFrom().toString());
        params.put("ranker_candidate_rows", input.candidateRows());
        params.put("ranker_popular_candidates", s.popularCandidates());
        params.put("ranker_max_rows", s.rankerMaxRows());
        params.put("ranker_sample_fraction", input.fraction());
        params.put("test_from", cuts.testFrom().toString());
        params.put("export", manifest.folder());
        params.put("export_seed", manifest.seed());
        // The dictionaries only grow: any later version of them still holds every id this model was fit on.
        params.put("user_ids_version", userExt.version());
        params.put("item_ids_version", itemExt.version());
        Map<String, String> artifacts = new LinkedHashMap<>();
        artifacts.put("ranker", RankerModels.RANKER_DIR);
        artifacts.put("als", RankerModels.ALS_DIR);
        artifacts.put("user_factors", s.userFactors().qualified());
        artifacts.put("item_factors", s.itemFactors().qualified());
        artifacts.put("user_ids", s.userIds().qualified());
        artifacts.put("item_ids", s.itemIds().qualified());
        ModelVersion complete = new ModelVersion(registered.version(), registered.name(), registered.logicalDate(),
                registered.createdAt(), params, inputs, features, Map.of(), artifacts, "candidate");
        writeFactors(alsFinal.userFactors(), "user_id", s.userFactors(), complete.version());
        writeFactors(alsFinal.itemFactors(), "item_id", s.itemFactors(), complete.version());
        // The commit point: the version becomes a candidate only once its parameters and factor tables are complete.
        registry.update(complete);
        LOG.info("registered {} {} (ranker {} rows, loss {})", s.modelName(), complete.version(), trained[0].rows(),
                trained[0].finalLoss());
        report.put("model_version", complete.version());
        report.put("registry", registry.root().toString());
        report.put("als_users", alsFinal.model().userFactors().count());
        report.put("als_items", alsFinal.itemCount());
        report.put("ranker_rows", trained[0].rows());
        report.put("ranker_layers", trained[0].layerSpec());
        report.put("ranker_final_loss", trained[0].finalLoss());
        return ExitCodes.OK;
    }

    /** Factors keyed by the string key ({@code key}: user_id or item_id), one partition per model version. */
    private void writeFactors(Dataset<Row> factors, String key, TableName table, String version) {
        factors.select(lit(version).as("model_version"), col(key), col("features"))
                .write().format("delta").mode("overwrite")
                .option("replaceWhere", "model_version = '" + version + "'")
                .partitionBy("model_version").save(lake.location(table));
        new LakeCatalog(spark, lake).register(table);
    }

    /** {@code (user_id, item_id)} of some rows, as string keys. */
    private static Dataset<Row> keys(Dataset<Row> rows) {
        return rows.select(col("user_id").cast("string").as("user_id"), col("item_id").cast("string").as("item_id"));
    }
}
