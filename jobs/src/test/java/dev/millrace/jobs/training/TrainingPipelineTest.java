package dev.millrace.jobs.training;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.core.tables.GoldTables;
import dev.millrace.featurestore.offline.SnapshotTimes;
import dev.millrace.jobs.features.FeaturesJob;
import dev.millrace.jobs.features.TrainingSetJob;
import dev.millrace.jobs.generate.GeneratorSpec;
import dev.millrace.jobs.generate.MovieLensGenerator;
import dev.millrace.jobs.ingest.IngestJob;
import dev.millrace.jobs.ingest.IngestRequest;
import dev.millrace.jobs.training.evaluate.EvaluateJob;
import dev.millrace.jobs.training.export.ExportManifest;
import dev.millrace.jobs.training.export.ShardDataset;
import dev.millrace.jobs.training.export.TrainingExport;
import dev.millrace.jobs.training.ids.IdDictionary;
import dev.millrace.jobs.training.model.KeyedAls;
import dev.millrace.jobs.training.model.RankerModels;
import dev.millrace.jobs.training.model.TrainJob;
import dev.millrace.jobs.training.score.ScoreJob;
import dev.millrace.udfs.registry.ModelRegistry;
import dev.millrace.udfs.registry.ModelVersion;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The training pipeline's behaviour on a generated MovieLens-layout lake (400 users, 400 movies, 25,000 ratings over
 * 2024), built once for every test here: ingest, feature snapshots every 61 days, a training set of 2024-02 on split
 * by date, a 4-shard export, train, evaluate and score. The models are small (ALS rank 8 in 5 iterations, 3 ranker
 * epochs, 30 ALS candidates a user): what is tested is the pipeline's contract, not the models' quality. Tagged
 * {@code e2e} ({@code bin/test --e2e}): it repeats the chain that the launcher smoke test runs through
 * {@code bin/millrace} in the default run, and the two together put CI's 2 cores over 30 minutes (this class took
 * 9 to 11 minutes there). Keys are the strings ingest writes ("1", "356", ...); the
 * test that appends new keys and trains again runs last. Whether the ranker beats its baselines is a question for
 * real data: {@link MovieLensRankingTest} (ml-latest-small, {@code bin/test --e2e}); here the first version is let
 * through whatever it scores.
 */
@Tag("e2e")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainingPipelineTest {

    static final LocalDate DATE = LocalDate.of(2024, 12, 31);
    static final int SHARDS = 4;
    static final int K = 10;

    static SparkSession spark;
    static MillraceConfig config;
    static Lake lake;
    static TrainingExport.Result export;
    static EvaluateJob.Outcome evaluation;
    static RunReport firstTrain;

    @BeforeAll
    static void buildPipeline() throws Exception {
        spark = SharedSpark.session();
        // MILLRACE_TEST_TRAINING_LAKE=DIR keeps the ingested lake, features and training set between local runs
        // (delete its _models, exports and gold folders to train again).
        String reuse = System.getenv("MILLRACE_TEST_TRAINING_LAKE");
        // Train 2024-02 .. 2024-08, validation 2024-09 .. 2024-10 (the ranker's labels), test 2024-11 on (the
        // holdout). The generated lake is too small to judge the ranker against its baselines: let it through.
        Map<String, Object> settings = Map.of("millrace.training-set.split.validation-from", "2024-09-01",
                "millrace.training-set.split.test-from", "2024-11-01",
                "millrace.evaluate.first-must-beat-baselines", false,
                "millrace.training.als.rank", 8, "millrace.training.als.max-iter", 5,
                "millrace.training.ranker.epochs", 3, "millrace.training.ranker.popular-candidates", 10,
                "millrace.evaluate.candidates", 30, "millrace.score.candidates", 30);
        config = (reuse == null ? SharedSpark.configWithLake("training-generated")
                : SharedSpark.config().with(Map.of("millrace.lake.root", reuse))).with(settings);
        lake = Lake.from(config);
        if (reuse == null || !Files.exists(Path.of(reuse, "gold", "training_set", "_delta_log"))) {
            Path data = SharedSpark.newLakeDir("training-generated-files");
            new MovieLensGenerator(new GeneratorSpec(400, 400, 25_000, 11, 0, Instant.parse("2024-01-01T00:00:00Z"),
                    Instant.parse("2024-12-31T23:59:59Z"))).writeTo(data);
            // Each step's report (its elapsed seconds are counted until it renders) in the test's output, right
            // after the step: where this class's time goes.
            RunReport ingest = new RunReport("ingest");
            assertThat(new IngestJob(spark, config).run(new IngestRequest(data.toString(), "movielens", null, null),
                    ingest)).isEqualTo(ExitCodes.OK);
            System.out.print(ingest.render());
            RunReport features = new RunReport("features");
            new FeaturesJob(spark, config).run(SnapshotTimes.range(LocalDate.of(2024, 1, 31), DATE, 61), features);
            System.out.print(features.render());
            RunReport trainingSet = new RunReport("training-set");
            new TrainingSetJob(spark, config).run(Optional.of(LocalDate.of(2024, 2, 1)), Optional.empty(),
                    trainingSet);
            System.out.print(trainingSet.render());
        }
        new LakeCatalog(spark, lake).registerAll();
        long exportStart = System.nanoTime();
        export = new TrainingExport(spark, config).run(DATE, SHARDS, 7, Optional.empty());
        System.out.printf("== export: %.1f s ==%n", (System.nanoTime() - exportStart) / 1e9);
        firstTrain = new RunReport("train");
        assertThat(new TrainJob(spark, config).run(DATE, firstTrain)).isEqualTo(ExitCodes.OK);
        System.out.print(firstTrain.render());
        RunReport eval = new RunReport("evaluate");
        evaluation = new EvaluateJob(spark, config).run(DATE, Optional.empty(), eval);
        System.out.print(eval.render());
        RunReport score = new RunReport("score");
        assertThat(new ScoreJob(spark, config).run(DATE, K, "run-1", score)).isEqualTo(ExitCodes.OK);
        System.out.print(score.render());
    }

    private static Dataset<Row> shard(ExportManifest m, int i) {
        return spark.read().parquet(m.shardPath(i));
    }

    @Test
    void shardsAreBalancedAndTheManifestMatchesTheData() {
        ExportManifest m = export.manifest();
        long table = spark.read().format("delta").load(lake.location(dev.millrace.core.lake.TableName.parse(
                "gold.training_set"))).count();
        assertThat(m.shards()).hasSize(SHARDS);
        assertThat(m.totalRows()).isEqualTo(table);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < SHARDS; i++) {
            long rows = shard(m, i).count();
            assertThat(rows).as("shard " + i).isEqualTo(m.shards().get(i).rows());
            min = Math.min(min, rows);
            max = Math.max(max, rows);
        }
        assertThat((double) (max - min) / max).isLessThanOrEqualTo(0.01);
        Dataset<Row> all = spark.read().parquet(m.folder() + "/shard-*.parquet");
        assertThat(all.count()).isEqualTo(table);
        // The same multiset of rows as the table: nothing lost, nothing duplicated across shards.
        Dataset<Row> tableRows = spark.read().format("delta").load(lake.location(
                dev.millrace.core.lake.TableName.parse("gold.training_set")))
                .selectExpr("user_id", "item_id", "event_time", "CAST(label AS DOUBLE) AS label", "split");
        Dataset<Row> shardRows = all.select("user_id", "item_id", "event_time", "label", "split");
        assertThat(shardRows.exceptAll(tableRows).count()).isZero();
        assertThat(tableRows.exceptAll(shardRows).count()).isZero();
        Row sizes = all.selectExpr("min(size(features))", "max(size(features))").first();
        assertThat(sizes.getInt(0)).isEqualTo(m.features().size());
        assertThat(sizes.getInt(1)).isEqualTo(m.features().size());
        assertThat(m.json().get("source").get("delta_version").asLong()).isEqualTo(
                DeltaVersions.current(spark, lake.location(dev.millrace.core.lake.TableName.parse("gold.training_set"))));
        assertThat(m.json().get("categorical_vocabularies").get("genres")).hasSize(19);
        Map<String, Long> bySplit = new java.util.HashMap<>();
        m.json().get("rows_by_split").fields().forEachRemaining(e -> bySplit.put(e.getKey(), e.getValue().asLong()));
        assertThat(bySplit.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(table);
        // The statistics in the manifest are those of the data: standardised values have mean ~0 per element.
        Row means = all.selectExpr("avg(features[0])", "avg(features[" + (m.features().size() - 1) + "])").first();
        assertThat(Math.abs(means.getDouble(0))).isLessThan(1e-3);
        assertThat(Math.abs(means.getDouble(1))).isLessThan(1e-3);

        ShardDataset ds = ShardDataset.builder().manifest(m).shard(1).setSampling(32, false).build();
        ds.prepare(null);
        assertThat(ds.size()).isEqualTo(m.shards().get(1).rows());
        Row first = shard(m, 1).first();
        assertThat(ds.userId(0)).isEqualTo(first.getString(0));
        assertThat(ds.itemId(0)).isEqualTo(first.getString(1));
        assertThat(all.schema().apply("user_id").dataType().simpleString()).isEqualTo("string");
        assertThat(all.schema().apply("item_id").dataType().simpleString()).isEqualTo("string");
        assertThat(ds.features(0)).hasSize(m.features().size());
        assertThat(ds.features(0)[0]).isEqualTo(first.<Float>getList(first.fieldIndex("features")).get(0));
    }

    @Test
    void theSameSeedGivesTheSameShardsAndAnotherSeedAnotherOrder() throws Exception {
        String out = SharedSpark.newLakeDir("export-again").toString();
        ExportManifest again = new TrainingExport(spark, config).run(DATE, SHARDS, 7, Optional.of(out)).manifest();
        ExportManifest other = new TrainingExport(spark, config).run(DATE, SHARDS, 8,
                Optional.of(SharedSpark.newLakeDir("export-seed8").toString())).manifest();
        for (int i = 0; i < SHARDS; i++) {
            assertThat(ids(again, i)).as("shard " + i).isEqualTo(ids(export.manifest(), i));
        }
        assertThat(ids(other, 0)).isNotEqualTo(ids(export.manifest(), 0));
        // The default folder for the same date and inputs is left as it is.
        Path shard0 = Path.of(java.net.URI.create(export.manifest().shardPath(0)));
        long modified = Files.getLastModifiedTime(shard0).toMillis();
        TrainingExport.Result rerun = new TrainingExport(spark, config).run(DATE, SHARDS, 7, Optional.empty());
        assertThat(rerun.unchanged()).isTrue();
        assertThat(Files.getLastModifiedTime(shard0).toMillis()).isEqualTo(modified);
    }

    private static List<String> ids(ExportManifest m, int i) {
        return shard(m, i).selectExpr("concat_ws(':', user_id, item_id, event_time, label)").as(
                org.apache.spark.sql.Encoders.STRING()).collectAsList();
    }

    @Test
    void evaluationMeasuresTheRankerAndBothBaselinesAndPromotesTheFirstVersion() {
        Map<String, Map<String, Double>> m = evaluation.methods();
        assertThat(m.keySet()).containsExactly("ranker " + evaluation.candidate(), "als alone", "popularity");
        for (Map<String, Double> values : m.values()) {
            assertThat(values.get("ndcg_at_10")).isBetween(0.0, 1.0);
            assertThat(values.get("users")).isPositive();
        }
        // The same holdout users for every method.
        assertThat(m.values().stream().map(v -> v.get("users")).distinct()).hasSize(1);
        assertThat(evaluation.exitCode()).isEqualTo(ExitCodes.OK);
        ModelRegistry registry = ModelRegistry.at(TrainingSettings.from(config).registryLocation());
        assertThat(registry.aliasVersion(ModelRegistry.CHAMPION)).contains(evaluation.candidate());
        assertThat(registry.champion().orElseThrow().metrics()).isNotEmpty();
        assertThat(registry.champion().orElseThrow().features()).last()
                .satisfies(f -> assertThat(f.name()).isEqualTo("als_score"));
        // Evaluating again: already current, exit 0.
        EvaluateJob.Outcome again = new EvaluateJob(spark, config).run(DATE, Optional.empty(), new RunReport("e"));
        assertThat(again.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(again.verdict()).contains("already current");
    }

    @Test
    void theRankerTrainsOnTheSplitsShardRowsAndTheCandidatesAndLeavesNoInputFilesBehind() throws Exception {
        long validation = export.manifest().json().get("rows_by_split").get("validation").asLong();
        long candidates = (Long) firstTrain.get("ranker_candidate_rows");
        assertThat(candidates).isPositive();
        assertThat(firstTrain.get("ranker_rows")).isEqualTo(validation + candidates);
        assertThat(firstTrain.get("ranker_sample_fraction")).as("below max-rows: no sample").isNull();
        org.apache.hadoop.fs.Path inputs = new org.apache.hadoop.fs.Path(
                TrainingSettings.from(config).exportRoot() + "/_ranker-input");
        org.apache.hadoop.fs.FileSystem fs = inputs.getFileSystem(spark.sparkContext().hadoopConfiguration());
        assertThat(fs.listStatus(inputs)).as("the ranker's input files, removed after training").isEmpty();
    }

    @Test
    void trainingAgainForTheSameDateAndInputsChangesNothing() throws Exception {
        ModelRegistry registry = ModelRegistry.at(TrainingSettings.from(config).registryLocation());
        int before = registry.list().size();
        RunReport r = new RunReport("train");
        assertThat(new TrainJob(spark, config).run(DATE, r)).isEqualTo(ExitCodes.OK);
        assertThat(r.get("skipped")).isNotNull();
        assertThat(registry.list()).hasSize(before);

        // A train killed after registering its draft (no verdict yet, parameters incomplete) leaves a version that
        // evaluate must never pick and the re-run must not trust: the re-run discards it.
        ModelVersion current = registry.champion().orElseThrow();
        ModelVersion draft = registry.register(new ModelVersion(null, current.name(), DATE.toString(),
                java.time.Instant.now().toString(), Map.of("rank", 8), current.trainingData(), current.features(),
                Map.of(), Map.of(), null), folder -> { });
        RunReport rerun = new RunReport("train");
        assertThat(new TrainJob(spark, config).run(DATE, rerun)).isEqualTo(ExitCodes.OK);
        assertThat(rerun.get("discarded_unfinished")).isEqualTo(draft.version());
        assertThat(rerun.get("skipped")).isNotNull();
        assertThat(registry.get(draft.version())).isEmpty();
        assertThat(registry.list()).hasSize(before);
    }

    @Test
    void everyEligibleUserGetsKUnseenCatalogueItemsAndScoringAgainChangesNothing() throws Exception {
        new LakeCatalog(spark, lake).registerAll();
        String location = lake.location(GoldTables.RECOMMENDATIONS);
        Dataset<Row> recs = spark.read().format("delta").load(location);
        assertThat(recs.schema().simpleString()).isEqualTo("struct<user_id:string,items:array<struct<item_id:string,"
                + "score:float>>,model_version:string,run_id:string,generated_at:timestamp>");
        ModelRegistry registry = ModelRegistry.at(TrainingSettings.from(config).registryLocation());
        Dataset<Row> alsUsers = spark.read().format("delta")
                .load(lake.location(dev.millrace.core.lake.TableName.parse("gold.als_user_factors")))
                .where(col("model_version").equalTo(registry.aliasVersion(ModelRegistry.CHAMPION).orElseThrow())).select("user_id");
        assertThat(recs.count()).isEqualTo(alsUsers.count());
        assertThat(recs.where("size(items) <> " + K).count()).isZero();
        Dataset<Row> flat = recs.selectExpr("user_id", "inline(items)");
        assertThat(flat.select("user_id", "item_id").distinct().count()).isEqualTo(recs.count() * K);
        Dataset<Row> rated = spark.table("silver.ratings").select("user_id", "item_id");
        assertThat(flat.join(rated, new String[] {"user_id", "item_id"}, "left_semi").count())
                .as("recommended items the user already rated").isZero();
        assertThat(flat.join(spark.table("silver.movies"), new String[] {"item_id"}, "left_anti").count())
                .as("items outside the catalogue").isZero();
        // Scores are in descending order within each user's list.
        assertThat(recs.where("items[0].score < items[" + (K - 1) + "].score").count()).isZero();
        assertThat(recs.select("model_version").distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
                .containsExactly(registry.aliasVersion(ModelRegistry.CHAMPION).orElseThrow());
        Dataset<Row> popular = spark.read().format("delta").load(lake.location(GoldTables.POPULAR_ITEMS));
        assertThat(popular.columns()).containsExactly("rank", "item_id", "score");
        assertThat(popular.schema().apply("item_id").dataType().simpleString()).isEqualTo("string");

        long version = DeltaVersions.current(spark, location);
        RunReport again = new RunReport("score");
        assertThat(new ScoreJob(spark, config).run(DATE, K, "run-2", again)).isEqualTo(ExitCodes.OK);
        assertThat(again.get("skipped")).isNotNull();
        assertThat(DeltaVersions.current(spark, location)).isEqualTo(version);
        Set<String> runs = new HashSet<>(spark.read().format("delta").load(location).select("run_id")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
        assertThat(runs).containsExactly("run-1");

        // A run that died between its two writes (gold.popular_items still an older run's) is not taken as done:
        // the next run writes both again.
        String popularLocation = lake.location(GoldTables.POPULAR_ITEMS);
        long popularCount = popular.count();
        popular.limit(1).write().format("delta").mode("overwrite")
                .option("userMetadata", "millrace-score date=2000-01-01 model_version=v0000").save(popularLocation);
        RunReport finish = new RunReport("score");
        assertThat(new ScoreJob(spark, config).run(DATE, K, "run-3", finish)).isEqualTo(ExitCodes.OK);
        assertThat(finish.get("skipped")).isNull();
        assertThat(spark.read().format("delta").load(popularLocation).count()).isEqualTo(popularCount);
        assertThat(spark.read().format("delta").load(location).select("run_id").distinct()
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList()).containsExactly("run-3");
    }

    @Test
    void theIdDictionariesHoldEveryKeyOnceWithDenseIds() {
        TrainingSettings s = TrainingSettings.from(config);
        Dataset<Row> silver = spark.table("silver.ratings");
        for (IdDictionary d : List.of(RankerModels.userIds(spark, lake, s), RankerModels.itemIds(spark, lake, s))) {
            String key = d.table().equals(s.userIds()) ? "user_id" : "item_id";
            Dataset<Row> dict = d.read();
            assertThat(dict.schema().simpleString()).isEqualTo("struct<key:string,id:int>");
            long keys = silver.select(key).distinct().count();
            assertThat(silver.select(col(key).as("key")).distinct().join(dict, new String[] {"key"}, "left_anti")
                    .count()).as("keys of silver.ratings without an id in " + d.table()).isZero();
            Row r = dict.selectExpr("count(*)", "count(DISTINCT key)", "count(DISTINCT id)", "min(id)", "max(id)")
                    .first();
            assertThat(r.getLong(0)).isEqualTo(keys).isEqualTo(r.getLong(1)).isEqualTo(r.getLong(2));
            assertThat(r.getInt(3)).isZero();
            assertThat((long) r.getInt(4)).isEqualTo(keys - 1);
        }
        // The factors tables carry the string keys of silver, never the ids.
        Dataset<Row> userFactors = spark.table(s.userFactors().qualified());
        assertThat(userFactors.schema().apply("user_id").dataType().simpleString()).isEqualTo("string");
        assertThat(userFactors.join(silver.select("user_id").distinct(), new String[] {"user_id"}, "left_anti")
                .count()).isZero();
    }

    @Test
    @Order(Integer.MAX_VALUE)  // last: it ingests new keys into silver.ratings and registers a second version
    void trainingAgainAfterNewKeysArriveKeepsEveryOldIdAndNumbersTheNewKeysAfterTheMaximum() throws Exception {
        TrainingSettings s = TrainingSettings.from(config);
        IdDictionary userIds = RankerModels.userIds(spark, lake, s);
        IdDictionary itemIds = RankerModels.itemIds(spark, lake, s);
        long userVersion = dictionaryVersion(userIds);
        long itemVersion = dictionaryVersion(itemIds);
        int userMax = userIds.read().selectExpr("max(id)").first().getInt(0);
        int itemMax = itemIds.read().selectExpr("max(id)").first().getInt(0);

        // A new user (a UUID-like key) copying the interactions of the most active user before 2024-08, and a new item
        // (an SKU) copying those of the most popular item: both before the cuts, so both ALS fits see them. They
        // arrive as a user would deliver them: a later CSV file, ingested through a mapping (string keys, so not the
        // MovieLens one, which normalises ids as integers).
        String tag = UUID.randomUUID().toString();
        String newUser = "user-" + tag;
        String newItem = "SKU-" + tag.substring(0, 8).toUpperCase(java.util.Locale.ROOT) + "-RED";
        String labels = lake.location(dev.millrace.core.lake.TableName.parse("silver.ratings"));
        Dataset<Row> early = spark.read().format("delta").load(labels).where("event_time < TIMESTAMP'2024-08-01'");
        String activeUser = early.groupBy("user_id").count().orderBy(col("count").desc(), col("user_id"))
                .first().getString(0);
        String popularItem = early.groupBy("item_id").count().orderBy(col("count").desc(), col("item_id"))
                .first().getString(0);
        Dataset<Row> copied = early.where(col("user_id").equalTo(activeUser)).withColumn("user_id", lit(newUser))
                .unionByName(early.where(col("item_id").equalTo(popularItem)).withColumn("item_id", lit(newItem)))
                .selectExpr("user_id", "item_id", "rating", "unix_timestamp(event_time) AS ts");
        List<String> lines = new java.util.ArrayList<>(List.of("customer,sku,rating,ts"));
        // A few hundred rows of test input, written as the delivery file.
        for (Row r : copied.collectAsList()) {
            lines.add(r.getString(0) + "," + r.getString(1) + "," + r.get(2) + "," + r.getLong(3));
        }
        long silverBefore = spark.read().format("delta").load(labels).count();
        Path delivery = SharedSpark.newLakeDir("training-new-keys");
        Files.write(delivery.resolve("ratings-new-keys.csv"), lines);
        Path mapping = delivery.resolve("new-keys-mapping.conf");
        Files.writeString(mapping, """
                sources = [{
                  entity = ratings, files = "ratings*.csv", format = csv
                  columns { user_id = customer, item_id = sku, rating = rating, event_time = ts }
                  event-time { format = epoch_seconds, zone = UTC }
                }]
                """);
        RunReport ingest = new RunReport("ingest");
        assertThat(new IngestJob(spark, config).run(new IngestRequest(delivery.toString(), "csv", mapping.toFile(),
                null), ingest)).isEqualTo(ExitCodes.OK);
        assertThat(spark.read().format("delta").load(labels).count()).isEqualTo(silverBefore + lines.size() - 1);

        // This version's ranker also trains on a max-rows sample: about half of the first version's rows.
        long maxRows = (Long) firstTrain.get("ranker_rows") / 2;
        RunReport report = new RunReport("train");
        assertThat(new TrainJob(spark, config.with(Map.of("millrace.training.ranker.max-rows", maxRows)))
                .run(DATE, report)).isEqualTo(ExitCodes.OK);
        assertThat(report.get("skipped")).isNull();
        assertThat((Double) report.get("ranker_sample_fraction")).isBetween(0.4, 0.6);
        assertThat((Long) report.get("ranker_rows")).isBetween((long) (maxRows * 0.9), (long) (maxRows * 1.1));
        assertThat(report.get("new_user_ids")).isEqualTo(1L);
        assertThat(report.get("new_item_ids")).isEqualTo(1L);
        String version = (String) report.get("model_version");

        for (Object[] c : List.of(new Object[] {userIds, userVersion, userMax, newUser},
                new Object[] {itemIds, itemVersion, itemMax, newItem})) {
            IdDictionary d = (IdDictionary) c[0];
            Dataset<Row> before = spark.read().format("delta").option("versionAsOf", (long) c[1]).load(d.location());
            Dataset<Row> after = d.read();
            assertThat(before.exceptAll(after).count()).as("old entries of " + d.table() + " changed").isZero();
            assertThat(after.count()).isEqualTo(before.count() + 1);
            assertThat(after.where(col("key").equalTo(c[3])).select("id").first().getInt(0))
                    .isEqualTo((int) c[2] + 1);
        }

        // String keys end to end: the new version's factors and ALS recommendations carry the new keys.
        assertThat(spark.table(s.userFactors().qualified()).where(col("model_version").equalTo(version)
                .and(col("user_id").equalTo(newUser))).count()).isEqualTo(1);
        assertThat(spark.table(s.itemFactors().qualified()).where(col("model_version").equalTo(version)
                .and(col("item_id").equalTo(newItem))).count()).isEqualTo(1);
        ModelRegistry registry = RankerModels.registry(s);
        KeyedAls als = RankerModels.als(spark, lake, s, registry, registry.get(version).orElseThrow());
        Dataset<Row> asked = spark.createDataFrame(List.of(org.apache.spark.sql.RowFactory.create(newUser)),
                new org.apache.spark.sql.types.StructType().add("user_id", "string"));
        Dataset<Row> recs = als.recommend(asked, 50);
        assertThat(recs.count()).isEqualTo(50);
        assertThat(recs.where(col("user_id").notEqual(newUser)).count()).isZero();
        Dataset<Row> items = spark.read().format("delta").load(labels).select("item_id").distinct();
        assertThat(recs.join(items, new String[] {"item_id"}, "left_anti").count())
                .as("recommended item keys that are not keys of silver.ratings").isZero();
        assertThat(als.predict(spark.createDataFrame(List.of(org.apache.spark.sql.RowFactory.create(newUser, newItem)),
                new org.apache.spark.sql.types.StructType().add("user_id", "string").add("item_id", "string")))
                .count()).isEqualTo(1);
        // The first version's ALS reads the grown dictionaries as it read the old ones: all its factors map.
        ModelVersion first = registry.get((String) firstTrain.get("model_version")).orElseThrow();
        KeyedAls old = RankerModels.als(spark, lake, s, registry, first);
        assertThat(old.userFactors().count()).isEqualTo(old.model().userFactors().count());
        assertThat(old.userFactors().join(spark.table(s.userFactors().qualified())
                        .where(col("model_version").equalTo(first.version())), new String[] {"user_id", "features"},
                "left_anti").count()).as("old factors that no longer map to the same key").isZero();
    }

    private static long dictionaryVersion(IdDictionary d) {
        return io.delta.tables.DeltaTable.forPath(spark, d.location()).history(1).select("version").first().getLong(0);
    }
}
