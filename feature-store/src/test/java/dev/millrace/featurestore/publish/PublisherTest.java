package dev.millrace.featurestore.publish;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.core.tables.FeatureTables;
import dev.millrace.core.tables.GoldTables;
import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.Lookup;
import dev.millrace.featurestore.online.OnlineStore;
import dev.millrace.featurestore.online.OnlineStores;
import dev.millrace.featurestore.online.RecommendationRecord;
import dev.millrace.featurestore.online.SharedRedis;
import dev.millrace.featurestore.online.StoreSettings;
import dev.millrace.featurestore.online.VersionPointer;
import dev.millrace.featurestore.serving.FeatureAnswer;
import dev.millrace.featurestore.serving.FeatureService;
import dev.millrace.featurestore.serving.RecommendationAnswer;
import dev.millrace.featurestore.serving.RecommendationService;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The publish job end to end on the shared local Spark, into the embedded store and a real Redis: lake tables in,
 * verified version out, flips while a reader reads, rollback, and a publish that fails part-way.
 */
class PublisherTest {

    private static final int USERS = 60;
    private static final FeatureTables FEATURES = new FeatureTables("features");

    /** Lakes written once and shared by both store kinds: publishes read a lake, they never change it. */
    private static MillraceConfig m1Config;
    private static Lake m1Lake;
    private static Lake m2Lake;
    private static Lake badLake;

    @BeforeAll
    static void lakes() {
        SparkSession spark = SharedSpark.session();
        m1Config = SharedSpark.configWithLake("publish-m1");
        m1Lake = Lake.from(m1Config);
        ServingTables.recommendations(spark, m1Lake, USERS, "m1");
        ServingTables.ratings(spark, m1Lake);
        ServingTables.userFeatures(spark, m1Lake, "features", USERS);
        m2Lake = Lake.from(SharedSpark.configWithLake("publish-m2"));
        ServingTables.recommendations(spark, m2Lake, USERS, "m2");
        ServingTables.popularItems(spark, m2Lake);
        ServingTables.userFeatures(spark, m2Lake, "features", USERS);
        badLake = Lake.from(SharedSpark.configWithLake("publish-bad"));
        ServingTables.recommendationsWithBadRow(spark, badLake, USERS);
    }

    private static StoreSettings settings(String kind, String name) {
        return kind.equals("redis") ? SharedRedis.freshSettings(name)
                : StoreSettings.from(SharedSpark.configWithLake("store-" + name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "redis"})
    void publishesReadsFlipsAndRollsBack(String kind) throws Exception {
        SparkSession spark = SharedSpark.session();
        StoreSettings settings = settings(kind, "publish");

        try (OnlineStore store = OnlineStores.open(settings)) {
            Publisher publisher = new Publisher(spark, m1Lake, FEATURES, settings, store, 2);
            PublishResult first = publisher.publish();
            assertThat(first.keys()).isEqualTo(Map.of("rec", (long) USERS, "pop", 1L, "feat.user", (long) USERS));
            assertThat(first.popularSource()).isEqualTo("silver.ratings (most rated)");

            RecommendationService recs = new RecommendationService(store);
            RecommendationAnswer known = recs.recommend("user-7", 3);
            assertThat(known.fallback()).isFalse();
            assertThat(known.record().modelVersion()).isEqualTo("m1");
            // Only the top k are decoded; the FLOAT scores arrive as doubles.
            assertThat(known.record().itemIds()).containsExactly("SKU-700", "SKU-701", "SKU-702");
            assertThat(known.record().scores()).containsExactly(1.0, 0.875, 0.75);
            assertThat(new RecommendationService(store).recommend("user-7", 10).record().itemIds())
                    .containsExactly("SKU-700", "SKU-701", "SKU-702", "SKU-703", "SKU-704");
            assertThat(known.toJson()).startsWith("{\"user_id\":\"user-7\",").contains("\"item_id\":\"SKU-702\"")
                    .doesNotContain("SKU-703");
            // Neither a number nor another spelling of a known id is that user.
            assertThat(recs.recommend("7", 10).fallback()).isTrue();
            assertThat(recs.recommend("USER-7", 10).fallback()).isTrue();
            RecommendationAnswer unknown = recs.recommend("3f2c9a4e-8b1d-4c7a-9e2f-1a2b3c4d5e6f", 10);
            assertThat(unknown.fallback()).isTrue();
            assertThat(unknown.record().itemIds()).containsExactly("SKU-7", "SKU-8");

            FeatureService features = new FeatureService(store, Duration.ofHours(1));
            FeatureAnswer f = features.features("user", "user-4").orElseThrow();
            assertThat(f.featuresJson()).contains("\"user_id\":\"user-4\"").contains("\"clicks_7d\":40")
                    .contains("\"avg_rating\":4.5").contains("2025-01-02");
            assertThat(features.features("user", "user-4000")).isEmpty();
            // A fresher overlay value wins over the published one.
            features.overlay("user", "user-4", "{\"user_id\":\"user-4\",\"feature_ts\":\"2025-01-03T00:00:00Z\",\"clicks_7d\":41}");
            assertThat(features.features("user", "user-4").orElseThrow().source()).isEqualTo("overlay");

            // Publish m2 with a gold.popular_items table while a reader reads continuously.
            publisher = new Publisher(spark, m2Lake, FEATURES, settings, store, 2);
            AtomicReference<String> failure = new AtomicReference<>();
            AtomicLong reads = new AtomicLong();
            Thread reader = new Thread(() -> readContinuously(recs, first.pointer().current(), failure, reads), "reader");
            reader.start();
            PublishResult second;
            try {
                second = publisher.publish();
                long after = reads.get() + 50;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (reads.get() < after && failure.get() == null && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            } finally {
                reader.interrupt();
                reader.join(30_000);
            }
            assertThat(failure.get()).isNull();
            assertThat(reads.get()).isGreaterThan(50);
            assertThat(second.pointer()).isEqualTo(new VersionPointer(first.pointer().current() + 1, first.pointer().current()));
            assertThat(second.popularSource()).isEqualTo("gold.popular_items");
            assertThat(recs.recommend("nobody", 10).record().itemIds()).containsExactly("SKU-44", "SKU-55");
            assertThat(recs.recommend("user-7", 10).record().modelVersion()).isEqualTo("m2");

            // Publishing the same table versions again writes nothing and leaves the pointer alone.
            PublishResult again = publisher.publish();
            assertThat(again.unchanged()).isTrue();
            assertThat(again.pointer()).isEqualTo(second.pointer());
            assertThat(again.keys()).isEmpty();
            assertThat(again.sources()).isEqualTo(second.sources()).contains("gold.recommendations=0");
            assertThat(store.versions()).containsExactly(first.pointer().current(), second.pointer().current());

            // A forced third publish removes the first version; a rollback returns to the second.
            PublishResult third = publisher.publish(true);
            assertThat(third.unchanged()).isFalse();
            assertThat(third.removedVersions()).containsExactly(first.pointer().current());
            assertThat(store.versions()).containsExactly(second.pointer().current(), third.pointer().current());
            assertThat(store.rollback().current()).isEqualTo(second.pointer().current());
            assertThat(recs.recommend("user-7", 10).version()).isEqualTo(second.pointer().current());
        }
    }

    /** Each answer must be whole and from one version: m1 answers from the first version, m2 from later ones. */
    private static void readContinuously(RecommendationService recs, long firstVersion, AtomicReference<String> failure,
                                         AtomicLong reads) {
        while (!Thread.currentThread().isInterrupted() && failure.get() == null) {
            try {
                String user = ServingTables.user(ThreadLocalRandom.current().nextLong(1, USERS + 1));
                RecommendationAnswer a = recs.recommend(user, 10);
                String expected = a.version() == firstVersion ? "m1" : "m2";
                if (a.fallback() || !a.record().modelVersion().equals(expected) || a.record().size() != 5) {
                    failure.set("user " + user + " got " + a.toJson());
                }
                RecommendationAnswer u = recs.recommend("-5", 10);
                String[] expectedPop = u.version() == firstVersion ? new String[] {"SKU-7", "SKU-8"}
                        : new String[] {"SKU-44", "SKU-55"};
                if (!u.fallback() || !java.util.Arrays.equals(u.record().itemIds(), expectedPop)) {
                    failure.set("fallback of version " + u.version() + " was " + u.toJson());
                }
                reads.incrementAndGet();
            } catch (RuntimeException e) {
                failure.set(e.toString());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "redis"})
    void aPublishThatFailsPartWayLeavesTheCurrentVersionServing(String kind) {
        SparkSession spark = SharedSpark.session();
        StoreSettings settings = settings(kind, "crash");
        try (OnlineStore store = OnlineStores.open(settings)) {
            VersionPointer good = new Publisher(spark, m1Lake, FEATURES, settings, store, 5).publish().pointer();

            // Executors write some partitions, then a task fails on a bad row: the job fails before any flip.
            assertThatThrownBy(() -> new Publisher(spark, badLake, FEATURES, settings, store, 5).publish())
                    .hasStackTraceContaining("null user_id");

            assertThat(store.pointer()).contains(good);
            Lookup l = store.lookup(Keyspace.RECOMMENDATIONS, "user-3");
            assertThat(l.version()).isEqualTo(good.current());
            assertThat(RecommendationRecord.decode(l.value()).modelVersion()).isEqualTo("m1");
            assertThat(new RecommendationService(store).recommend("user-3", 10).record().modelVersion()).isEqualTo("m1");

            // The next good publish cleans up the unfinished version.
            VersionPointer next = new Publisher(spark, m2Lake, FEATURES, settings, store, 5).publish().pointer();
            assertThat(next.previous()).isEqualTo(good.current());
            assertThat(store.versions()).containsExactly(good.current(), next.current());
            if (kind.equals("embedded")) {
                // Under its publish lock the embedded store takes the unfinished version's number again: a re-run
                // ends where an uninterrupted publish would (Redis publishes, lock-free, each keep their own number).
                assertThat(next.current()).isEqualTo(good.current() + 1);
            }
        }
    }

    /**
     * The feature layer comes from conf (FeatureTables), integer keys of a table written before string keys are read
     * as their decimal text, a feature id longer than a key may be is skipped and counted, so is a feature row with a
     * null key, and a gold user id that breaks the key rule stops the publish with the rule in the message.
     */
    @org.junit.jupiter.api.Test
    void keysFromConfLegacyIntegersOverlongFeatureIdsAndBadUserIds() {
        SparkSession spark = SharedSpark.session();
        MillraceConfig config = SharedSpark.configWithLake("publish-keys").with(Map.of(FeatureTables.LAYER_PATH, "fs_online"));
        Lake lake = Lake.from(config);
        spark.range(1, 4).selectExpr("id AS user_id",
                        "array(named_struct('item_id', id * 10, 'score', 0.5D)) AS items",
                        "'legacy' AS model_version", "'r' AS run_id", "current_timestamp() AS generated_at")
                .write().format("delta").save(lake.location(GoldTables.RECOMMENDATIONS));
        spark.range(1, 5).selectExpr("IF(id = 4, NULL, CAST(id AS STRING)) AS user_id",
                        "IF(id = 3, repeat('i', 128), CONCAT('SKU-', id)) AS item_id",
                        "TIMESTAMP'2025-01-01 00:00:00' AS feature_ts", "id AS n")
                .write().format("delta").save(lake.location(TableName.of("fs_online", "user_item_features")));
        // In the default layer, which this conf does not read.
        ServingTables.userFeatures(spark, lake, "features", 2);

        try (OnlineStore store = OnlineStores.open(StoreSettings.from(config))) {
            PublishResult r = Publisher.from(spark, config, store).publish();
            assertThat(r.keys()).isEqualTo(Map.of("rec", 3L, "pop", 1L, "feat.user_item", 2L));
            assertThat(r.skipped()).isEqualTo(Map.of("feat.user_item", 1L));
            assertThat(r.skippedNullKeys()).isEqualTo(Map.of("feat.user_item", 1L));
            RecommendationAnswer a = new RecommendationService(store).recommend("2", 10);
            assertThat(a.fallback()).isFalse();
            assertThat(a.record().itemIds()).containsExactly("20");
            FeatureService features = new FeatureService(store, Duration.ofHours(1));
            assertThat(features.features("user_item", "2:SKU-2")).isPresent();
            assertThat(features.features("user", "user-1")).isEmpty();
        }

        Lake bad = Lake.from(SharedSpark.configWithLake("publish-badkey"));
        ServingTables.recommendationsWithBadUser(spark, bad, 5, "user-6 ");
        StoreSettings badStore = StoreSettings.from(SharedSpark.configWithLake("store-badkey"));
        try (OnlineStore store = OnlineStores.open(badStore)) {
            assertThatThrownBy(() -> new Publisher(spark, bad, FEATURES, badStore, store, 5).publish())
                    .hasStackTraceContaining("user_id 'user-6 ' has leading or trailing white space");
            assertThat(store.pointer()).isEmpty();
        }
    }
}
