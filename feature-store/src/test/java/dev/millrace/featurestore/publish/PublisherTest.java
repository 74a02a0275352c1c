package dev.millrace.featurestore.publish;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.spark.SharedSpark;
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
        ServingTables.userFeatures(spark, m1Lake, USERS);
        m2Lake = Lake.from(SharedSpark.configWithLake("publish-m2"));
        ServingTables.recommendations(spark, m2Lake, USERS, "m2");
        ServingTables.popularItems(spark, m2Lake);
        ServingTables.userFeatures(spark, m2Lake, USERS);
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
            Publisher publisher = new Publisher(spark, m1Lake, settings, store, 2);
            PublishResult first = publisher.publish();
            assertThat(first.keys()).isEqualTo(Map.of("rec", (long) USERS, "pop", 1L, "feat.user", (long) USERS));
            assertThat(first.popularSource()).isEqualTo("silver.ratings (most rated)");

            RecommendationService recs = new RecommendationService(store);
            RecommendationAnswer known = recs.recommend(7, 3);
            assertThat(known.fallback()).isFalse();
            assertThat(known.record().modelVersion()).isEqualTo("m1");
            assertThat(known.record().itemIds()).containsExactly(700, 701, 702, 703, 704);
            assertThat(known.toJson()).contains("\"item_id\":702").doesNotContain("\"item_id\":703");
            RecommendationAnswer unknown = recs.recommend(999_999, 10);
            assertThat(unknown.fallback()).isTrue();
            assertThat(unknown.record().itemIds()).containsExactly(7, 8);

            FeatureService features = new FeatureService(store, Duration.ofHours(1));
            FeatureAnswer f = features.features("user", "4").orElseThrow();
            assertThat(f.featuresJson()).contains("\"clicks_7d\":40").contains("\"avg_rating\":4.5").contains("2025-01-02");
            assertThat(features.features("user", "4000")).isEmpty();
            // A fresher overlay value wins over the published one.
            features.overlay("user", "4", "{\"user_id\":4,\"feature_ts\":\"2025-01-03T00:00:00Z\",\"clicks_7d\":41}");
            assertThat(features.features("user", "4").orElseThrow().source()).isEqualTo("overlay");

            // Publish m2 with a gold.popular_items table while a reader reads continuously.
            publisher = new Publisher(spark, m2Lake, settings, store, 2);
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
            assertThat(recs.recommend(999_999, 10).record().itemIds()).containsExactly(44, 55);
            assertThat(recs.recommend(7, 10).record().modelVersion()).isEqualTo("m2");

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
            assertThat(recs.recommend(7, 10).version()).isEqualTo(second.pointer().current());
        }
    }

    /** Each answer must be whole and from one version: m1 answers from the first version, m2 from later ones. */
    private static void readContinuously(RecommendationService recs, long firstVersion, AtomicReference<String> failure,
                                         AtomicLong reads) {
        while (!Thread.currentThread().isInterrupted() && failure.get() == null) {
            try {
                long user = ThreadLocalRandom.current().nextLong(1, USERS + 1);
                RecommendationAnswer a = recs.recommend(user, 10);
                String expected = a.version() == firstVersion ? "m1" : "m2";
                if (a.fallback() || !a.record().modelVersion().equals(expected) || a.record().size() != 5) {
                    failure.set("user " + user + " got " + a.toJson());
                }
                RecommendationAnswer u = recs.recommend(-5, 10);
                long[] expectedPop = u.version() == firstVersion ? new long[] {7, 8} : new long[] {44, 55};
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
            VersionPointer good = new Publisher(spark, m1Lake, settings, store, 5).publish().pointer();

            // Executors write some partitions, then a task fails on a bad row: the job fails before any flip.
            assertThatThrownBy(() -> new Publisher(spark, badLake, settings, store, 5).publish())
                    .hasStackTraceContaining("null user_id");

            assertThat(store.pointer()).contains(good);
            Lookup l = store.lookup(Keyspace.RECOMMENDATIONS, "3");
            assertThat(l.version()).isEqualTo(good.current());
            assertThat(RecommendationRecord.decode(l.value()).modelVersion()).isEqualTo("m1");
            assertThat(new RecommendationService(store).recommend(3, 10).record().modelVersion()).isEqualTo("m1");

            // The next good publish cleans up the unfinished version.
            VersionPointer next = new Publisher(spark, m2Lake, settings, store, 5).publish().pointer();
            assertThat(next.previous()).isEqualTo(good.current());
            assertThat(store.versions()).containsExactly(good.current(), next.current());
        }
    }
}
