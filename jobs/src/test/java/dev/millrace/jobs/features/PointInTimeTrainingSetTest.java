package dev.millrace.jobs.features;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.LakeCatalog;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.run.RunReport;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.featurestore.definitions.EntityDefinition;
import dev.millrace.featurestore.definitions.FeatureRegistry;
import dev.millrace.featurestore.offline.PointInTimeJoin;
import dev.millrace.featurestore.offline.SnapshotTimes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.apache.spark.unsafe.Platform;

import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Point-in-time correctness, the time split and negative sampling on a handful of hand-made interactions (its own
 * lake), where every expected value can be read off the data. The leak case: user 1 rates item 10 with 1 star, then
 * item 11 with 5 stars at 12:00 on Jan 5 (the label). The snapshot of Jan 5 includes that 5-star rating (mean 3.0);
 * a join by date, or to the nearest snapshot, would hand it to the label. The training row must see mean 1.0.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PointInTimeTrainingSetTest {

    private static final StructType RATINGS = new StructType()
            .add("user_id", DataTypes.StringType).add("item_id", DataTypes.StringType)
            .add("rating", DataTypes.DoubleType).add("event_time", DataTypes.TimestampType)
            .add("event_date", DataTypes.DateType);
    private static final StructType MOVIES = new StructType()
            .add("item_id", DataTypes.StringType).add("title", DataTypes.StringType)
            .add("genres", DataTypes.createArrayType(DataTypes.StringType));
    private static final StructType TAGS = new StructType()
            .add("user_id", DataTypes.StringType).add("item_id", DataTypes.StringType)
            .add("tag", DataTypes.StringType).add("event_time", DataTypes.TimestampType);

    private static final int RATIO = 1;
    private static final int OVERSAMPLE = 4;
    private static final long SEED = 7L;
    /** Two items per catalogue bucket: five items make three buckets, so the bucketed numbering is exercised. */
    private static final int BUCKET_SIZE = 2;
    private static final Instant LABEL = Instant.parse("2020-01-05T12:00:00Z");
    private static final Instant BOUNDARY = Instant.parse("2020-01-06T00:00:00Z");

    // String keys as a real feed has them: a UUID, an account code, a number as text.
    private static final String U1 = "3f2b9c1e-7d4a-4f7e-9a51-0c8e2d6b1a97";
    private static final String U2 = "ACC-0002";
    private static final String U3 = "40213";

    private final List<Object[]> ratings = List.of(
            new Object[]{U3, "SKU-13", 4.0, "2019-12-20T10:00:00Z"},
            new Object[]{U3, "SKU-14", 2.0, "2019-12-21T10:00:00Z"},
            new Object[]{U1, "SKU-10", 1.0, "2020-01-01T10:00:00Z"},
            new Object[]{U2, "SKU-10", 4.0, "2020-01-02T08:00:00Z"},
            new Object[]{U1, "SKU-11", 5.0, "2020-01-05T12:00:00Z"},
            new Object[]{U2, "SKU-12", 3.0, "2020-01-06T00:00:00Z"},
            new Object[]{U1, "SKU-12", 5.0, "2020-01-07T09:00:00Z"});

    private SparkSession spark;
    private MillraceConfig config;
    private Lake lake;
    private List<Row> training;

    @BeforeAll
    void buildLakeFeaturesAndTrainingSet() {
        spark = SharedSpark.session();
        config = SharedSpark.configWithLake("pit").with(Map.of(
                "millrace.training-set.split.validation-from", "2020-01-05",
                "millrace.training-set.split.test-from", "2020-01-07",
                "millrace.training-set.negatives.ratio", RATIO,
                "millrace.training-set.negatives.oversample", OVERSAMPLE,
                "millrace.training-set.negatives.seed", SEED,
                "millrace.training-set.negatives.catalogue-bucket-size", BUCKET_SIZE));
        lake = Lake.from(config);
        write(TableName.parse("silver.ratings"), RATINGS, ratings.stream().map(r -> RowFactory.create(r[0], r[1], r[2],
                Timestamp.from(Instant.parse((String) r[3])),
                Date.valueOf(Instant.parse((String) r[3]).atZone(java.time.ZoneOffset.UTC).toLocalDate()))).toList());
        write(TableName.parse("silver.movies"), MOVIES, List.of(
                RowFactory.create("SKU-10", "A (1990)", new String[]{"Drama"}),
                RowFactory.create("SKU-11", "B (2000)", new String[]{"Comedy"}),
                RowFactory.create("SKU-12", "C (2010)", new String[]{"Drama", "Comedy"}),
                RowFactory.create("SKU-13", "D (2015)", new String[]{"Action"}),
                RowFactory.create("SKU-14", "E", new String[]{})));
        // User 1 tags the label's item only after the label.
        write(TableName.parse("silver.tags"), TAGS, List.of(
                RowFactory.create(U1, "SKU-11", "great", Timestamp.from(Instant.parse("2020-01-06T09:00:00Z")))));
        new LakeCatalog(spark, lake).registerAll();

        new FeaturesJob(spark, config).run(SnapshotTimes.range(LocalDate.of(2019, 12, 15), LocalDate.of(2020, 1, 8), 1),
                new RunReport("features"));
        new TrainingSetJob(spark, config).run(Optional.empty(), Optional.empty(), new RunReport("training-set"));
        training = spark.read().format("delta").load(lake.location(TableName.parse("gold.training_set")))
                .collectAsList();
        versionBefore = trainingSetVersion();
        new TrainingSetJob(spark, config).run(Optional.empty(), Optional.empty(), new RunReport("training-set"));
        versionAfterRerun = trainingSetVersion();
    }

    private long versionBefore;
    private long versionAfterRerun;

    private long trainingSetVersion() {
        return io.delta.tables.DeltaTable.forPath(spark, lake.location(TableName.parse("gold.training_set"))).history(1)
                .select("version").head().getLong(0);
    }

    @Test
    void rebuildingFromTheSameInputsAndSettingsWritesNothing() {
        assertThat(versionAfterRerun).isEqualTo(versionBefore);
    }

    private void write(TableName table, StructType schema, List<Row> rows) {
        spark.createDataFrame(rows, schema).write().format("delta").mode("overwrite").save(lake.location(table));
    }

    private Row positive(String user, String item) {
        return training.stream().filter(r -> r.getString(r.fieldIndex("user_id")).equals(user)
                && r.getString(r.fieldIndex("item_id")).equals(item) && r.getDouble(r.fieldIndex("label")) == 1.0)
                .findFirst().orElseThrow();
    }

    @Test
    void theLabelSeesOnlyFeaturesFromBeforeItsTimeAndNotTheLeakingSnapshot() {
        Row label = positive(U1, "SKU-11");
        assertThat(label.getTimestamp(label.fieldIndex("event_time")).toInstant()).isEqualTo(LABEL);
        assertThat(label.getTimestamp(label.fieldIndex("user_feature_ts")).toInstant())
                .isEqualTo(Instant.parse("2020-01-05T00:00:00Z"));
        assertThat(label.getLong(label.fieldIndex("user_events_all"))).isEqualTo(1L);
        assertThat(label.getDouble(label.fieldIndex("user_mean_rating"))).isCloseTo(1.0, within(1e-12));
        // The item had never been rated before t: its own 5-star label must not count.
        assertThat(label.getLong(label.fieldIndex("item_popularity_all"))).isZero();
        assertThat(label.isNullAt(label.fieldIndex("item_mean_rating"))).isTrue();
        // The tag came after t: no user-item snapshot existed yet.
        assertThat(label.isNullAt(label.fieldIndex("user_item_tags"))).isTrue();

        // The test has teeth: the snapshot of the label's own day (the one a join on the date would pick) and the
        // next one do hold the label's rating and the later tag.
        Row sameDay = spark.sql("SELECT * FROM features.user_features WHERE user_id = '" + U1
                + "' AND feature_date = DATE'2020-01-05'").first();
        assertThat(sameDay.getLong(sameDay.fieldIndex("user_events_all"))).isEqualTo(2L);
        assertThat(sameDay.getDouble(sameDay.fieldIndex("user_mean_rating"))).isCloseTo(3.0, within(1e-12));
        assertThat(spark.sql("SELECT user_item_tags FROM features.user_item_features WHERE user_id = '" + U1
                + "' AND item_id = 'SKU-11' AND feature_date = DATE'2020-01-06'").first().getLong(0)).isEqualTo(1L);
    }

    @Test
    void aLabelExactlyAtMidnightUsesTheSnapshotEndingThereWhichExcludesIt() {
        Row label = positive(U2, "SKU-12");
        assertThat(label.getTimestamp(label.fieldIndex("event_time")).toInstant()).isEqualTo(BOUNDARY);
        assertThat(label.getTimestamp(label.fieldIndex("user_feature_ts")).toInstant()).isEqualTo(BOUNDARY);
        assertThat(label.getLong(label.fieldIndex("user_events_all"))).isEqualTo(1L);
        assertThat(label.getDouble(label.fieldIndex("user_mean_rating"))).isCloseTo(4.0, within(1e-12));
    }

    @Test
    void everyRowsFeaturesEqualAnIndependentCountOfEventsStrictlyBeforeItsSnapshot() {
        for (Row r : training) {
            Instant t = r.getTimestamp(r.fieldIndex("event_time")).toInstant();
            // Daily snapshots cover every label day, so the as-of snapshot is the midnight at or before t.
            Instant snapshot = t.truncatedTo(ChronoUnit.DAYS);
            String user = r.getString(r.fieldIndex("user_id"));
            String item = r.getString(r.fieldIndex("item_id"));
            long userBefore = ratings.stream().filter(x -> x[0].equals(user)
                    && Instant.parse((String) x[3]).isBefore(snapshot)).count();
            long itemBefore = ratings.stream().filter(x -> x[1].equals(item)
                    && Instant.parse((String) x[3]).isBefore(snapshot)).count();
            // Items have a row in every snapshot (their static attributes); a user only once they have history.
            assertThat(r.getTimestamp(r.fieldIndex("item_feature_ts")).toInstant()).as(r.toString()).isEqualTo(snapshot);
            assertThat(r.getLong(r.fieldIndex("item_popularity_all"))).as(r.toString()).isEqualTo(itemBefore);
            if (userBefore == 0) {
                assertThat(r.isNullAt(r.fieldIndex("user_feature_ts"))).as(r.toString()).isTrue();
                assertThat(r.isNullAt(r.fieldIndex("user_events_all"))).as(r.toString()).isTrue();
            } else {
                assertThat(r.getTimestamp(r.fieldIndex("user_feature_ts")).toInstant()).as(r.toString())
                        .isEqualTo(snapshot);
                assertThat(r.getLong(r.fieldIndex("user_events_all"))).as(r.toString()).isEqualTo(userBefore);
            }
        }
    }

    @Test
    void aSnapshotOlderThanTheMaximumAgeIsNotUsed() {
        Dataset<Row> label = spark.createDataFrame(List.of(RowFactory.create(U1,
                Timestamp.from(LABEL))), new StructType().add("user_id", DataTypes.StringType)
                .add("event_time", DataTypes.TimestampType));
        EntityDefinition user = FeatureRegistry.load(config).entity("user");
        Dataset<Row> features = spark.table("features.user_features");
        // The label at 12:00 has a snapshot from 00:00 the same day: 12 hours old.
        Row fresh = new PointInTimeJoin(Optional.of(Duration.ofDays(1)))
                .join(label, "event_time", user, features, "user_feature_ts").first();
        assertThat(fresh.getLong(fresh.fieldIndex("user_events_all"))).isEqualTo(1L);
        Row stale = new PointInTimeJoin(Optional.of(Duration.ofHours(6)))
                .join(label, "event_time", user, features, "user_feature_ts").first();
        assertThat(stale.isNullAt(stale.fieldIndex("user_feature_ts"))).isTrue();
        assertThat(stale.isNullAt(stale.fieldIndex("user_events_all"))).isTrue();
    }

    @Test
    void theSplitFollowsTime() {
        Map<String, String> expected = Map.of(
                "2019-12-20T10:00:00Z", "train", "2019-12-21T10:00:00Z", "train", "2020-01-01T10:00:00Z", "train",
                "2020-01-02T08:00:00Z", "train", "2020-01-05T12:00:00Z", "validation",
                "2020-01-06T00:00:00Z", "validation", "2020-01-07T09:00:00Z", "test");
        for (Row r : training) {
            assertThat(r.getString(r.fieldIndex("split"))).as(r.toString())
                    .isEqualTo(expected.get(r.getTimestamp(r.fieldIndex("event_time")).toInstant().toString()));
        }
    }

    /** Spark's xxhash64 of a string: XXH64 over its UTF-8 bytes. */
    private static long hash(String s, long seed) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return XXH64.hashUnsafeBytes(b, Platform.BYTE_ARRAY_OFFSET, b.length, seed);
    }

    @Test
    void negativesAreExactlyTheDocumentedHashDrawsAndNeverTheUsersOwnItems() {
        Map<String, Set<String>> own = new HashMap<>();
        ratings.forEach(x -> own.computeIfAbsent((String) x[0], u -> new HashSet<>()).add((String) x[1]));
        // The documented catalogue order: (pmod(xxhash64(item_id), B), item_id), B = ceil(n / bucket size).
        List<String> items = ratings.stream().map(x -> (String) x[1]).distinct().toList();
        long buckets = (items.size() + BUCKET_SIZE - 1) / BUCKET_SIZE;
        List<String> catalogue = items.stream().sorted(Comparator
                .comparingLong((String i) -> Math.floorMod(hash(i, 42L), buckets))
                .thenComparing(Comparator.naturalOrder())).toList();
        assertThat(catalogue).as("the buckets reorder the catalogue, so the test sees the bucketing")
                .isNotEqualTo(items.stream().sorted().toList());
        // Independent re-computation of NegativeSampler's contract: draw j of positive (u, i, t) is catalogue item
        // pmod(xxhash64(seed, u, i, t, j), n), minus the user's own items and repeats, first `ratio` draws kept.
        Set<String> expected = new HashSet<>();
        for (Object[] p : ratings) {
            String u = (String) p[0];
            long micros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse((String) p[3]));
            Set<String> picked = new java.util.LinkedHashSet<>();
            for (int j = 0; j < RATIO * OVERSAMPLE && picked.size() < RATIO; j++) {
                long h = XXH64.hashLong(SEED, 42L);
                h = hash(u, h);
                h = hash((String) p[1], h);
                h = XXH64.hashLong(micros, h);
                h = XXH64.hashInt(j, h);
                String item = catalogue.get((int) Math.floorMod(h, (long) catalogue.size()));
                if (!own.get(u).contains(item)) {
                    picked.add(item);
                }
            }
            picked.forEach(item -> expected.add(u + "/" + item + "@" + p[3]));
        }
        Set<String> actual = new HashSet<>();
        for (Row r : training) {
            if (r.getDouble(r.fieldIndex("label")) == 0.0) {
                String user = r.getString(r.fieldIndex("user_id"));
                String item = r.getString(r.fieldIndex("item_id"));
                assertThat(own.get(user)).as(r.toString()).doesNotContain(item);
                actual.add(user + "/" + item + "@" + r.getTimestamp(r.fieldIndex("event_time")).toInstant());
            }
        }
        assertThat(expected).hasSizeGreaterThan(ratings.size() / 2);
        assertThat(actual).isEqualTo(expected);
        assertThat(training.stream().filter(r -> r.getDouble(r.fieldIndex("label")) == 1.0).count())
                .isEqualTo(ratings.size());
    }

    @Test
    void theKeysOfTheFeatureTablesAndTheTrainingSetAreStrings() {
        for (String table : List.of("features.user_features", "features.item_features",
                "features.user_item_features", "gold.training_set")) {
            org.apache.spark.sql.types.StructType schema = spark.table(table).schema();
            for (String key : List.of("user_id", "item_id")) {
                if (schema.getFieldIndex(key).isDefined()) {
                    assertThat(schema.apply(key).dataType()).as(table + "." + key).isEqualTo(DataTypes.StringType);
                }
            }
        }
        assertThat(spark.table("gold.training_set").schema().fieldNames()).contains("user_id", "item_id");
    }
}
