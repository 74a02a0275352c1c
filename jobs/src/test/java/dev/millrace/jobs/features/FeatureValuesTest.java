package dev.millrace.jobs.features;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.run.RunReport;
import dev.millrace.featurestore.definitions.FeatureDefinitionException;
import dev.millrace.featurestore.definitions.FeatureRegistry;
import dev.millrace.featurestore.offline.SnapshotTimes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Feature values on ml-latest-small against independent computations: user counts, means and recency in plain Java
 * over the raw ratings.csv; windowed counts, genre affinity, item statistics and tags in hand-written SQL over the
 * silver tables; release years and multi-hot genres in Java over the raw movies.csv. Also: re-running a date is
 * idempotent and leaves other dates alone, and a definition naming a missing column fails with its name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeatureValuesTest {

    private static final LocalDate EARLY = LocalDate.of(2016, 12, 31);
    private static final LocalDate DATE = LocalDate.of(2018, 6, 30);
    /** Snapshot of DATE folds events strictly before this instant. */
    private static final String CUT = "TIMESTAMP'2018-07-01 00:00:00'";
    private static final double EPS = 1e-9;

    private SparkSession spark;
    private MillraceConfig config;
    private Lake lake;
    private List<Row> earlyBefore;
    private List<Row> earlyAfter;
    private List<Row> dateBefore;
    private List<Row> dateAfter;

    @BeforeAll
    void computeTwoDatesThenRerunOne() {
        spark = MovieLensLake.spark();
        config = MovieLensLake.config().with(Map.of("millrace.features.layer", "features_values"));
        lake = Lake.from(config);
        FeaturesJob job = new FeaturesJob(spark, config);
        job.run(SnapshotTimes.of(EARLY, DATE), new RunReport("features"));
        earlyBefore = snapshot("user", EARLY);
        dateBefore = snapshot("user", DATE);
        job.run(SnapshotTimes.of(DATE), new RunReport("features"));
        earlyAfter = snapshot("user", EARLY);
        dateAfter = snapshot("user", DATE);
        versionAfterRerun = userTableVersion();
        thirdRun = new RunReport("features");
        job.run(SnapshotTimes.of(DATE), thirdRun);
        versionAfterThirdRun = userTableVersion();
    }

    private long versionAfterRerun;
    private long versionAfterThirdRun;
    private RunReport thirdRun;

    private long userTableVersion() {
        return io.delta.tables.DeltaTable.forPath(spark, lake.root() + "/features_values/user_features").history(1)
                .select("version").head().getLong(0);
    }

    @Test
    void aRunForADateAlreadyComputedFromTheSameInputsWritesNothing() {
        assertThat(versionAfterThirdRun).isEqualTo(versionAfterRerun);
        assertThat(thirdRun.toJson()).contains("features_values.user_features").contains("\"unchanged\"");
    }

    private Dataset<Row> table(String entity) {
        return spark.read().format("delta").load(lake.root() + "/features_values/" + entity + "_features");
    }

    private List<Row> snapshot(String entity, LocalDate d) {
        return table(entity).where("feature_date = DATE'" + d + "'").drop("feature_date").orderBy("user_id")
                .collectAsList();
    }

    @Test
    void rerunningADateIsIdempotentAndLeavesOtherDatesAlone() {
        assertThat(dateAfter).isEqualTo(dateBefore);
        assertThat(earlyAfter).isEqualTo(earlyBefore);
        assertThat(earlyBefore).isNotEmpty().hasSizeLessThan(dateBefore.size());
        assertThat(table("user").where("feature_date = DATE'" + DATE + "'").select("feature_ts").distinct()
                .first().getTimestamp(0).toInstant()).isEqualTo(Instant.parse("2018-07-01T00:00:00Z"));
    }

    @Test
    void userCountsMeansAndRecencyMatchPlainJavaOverTheRawCsv() {
        long cut = Instant.parse("2018-07-01T00:00:00Z").getEpochSecond();
        Map<String, long[]> counts = new HashMap<>();
        Map<String, Double> sums = new HashMap<>();
        Map<String, Long> last = new HashMap<>();
        for (Row r : spark.read().option("header", "true").csv(MovieLensLake.ML.resolve("ratings.csv").toString())
                .collectAsList()) {
            String user = r.getString(0);
            long ts = Long.parseLong(r.getString(3));
            if (ts >= cut) {
                continue;
            }
            long[] c = counts.computeIfAbsent(user, u -> new long[4]);
            c[0]++;
            c[1] += ts >= cut - 7 * 86400L ? 1 : 0;
            c[2] += ts >= cut - 30 * 86400L ? 1 : 0;
            c[3] += ts >= cut - 90 * 86400L ? 1 : 0;
            sums.merge(user, Double.parseDouble(r.getString(2)), Double::sum);
            last.merge(user, ts, Math::max);
        }
        assertThat(dateAfter).hasSize(counts.size());
        for (Row r : dateAfter) {
            String user = r.getString(r.fieldIndex("user_id"));
            long[] c = counts.get(user);
            assertThat(c).as("user %s", user).isNotNull();
            assertThat(r.getLong(r.fieldIndex("user_events_all"))).as("user %s all", user).isEqualTo(c[0]);
            assertThat(r.getLong(r.fieldIndex("user_events_7d"))).as("user %s 7d", user).isEqualTo(c[1]);
            assertThat(r.getLong(r.fieldIndex("user_events_30d"))).as("user %s 30d", user).isEqualTo(c[2]);
            assertThat(r.getLong(r.fieldIndex("user_events_90d"))).as("user %s 90d", user).isEqualTo(c[3]);
            assertThat(r.getDouble(r.fieldIndex("user_mean_rating"))).as("user %s mean", user)
                    .isCloseTo(sums.get(user) / c[0], within(EPS));
            assertThat(r.getDouble(r.fieldIndex("user_recency_days"))).as("user %s recency", user)
                    .isCloseTo((cut - last.get(user)) / 86400.0, within(EPS));
        }
        // Some users were active in each window, so the windows are really tested.
        assertThat(counts.values().stream().filter(c -> c[1] > 0).count()).isPositive();
    }

    @Test
    void genreAffinityMatchesPlainSql() {
        List<String> genres = FeatureRegistry.load(config).definitions().stream()
                .filter(d -> d.name().equals("user_genre_affinity")).findFirst().orElseThrow().vocabulary();
        Map<String, Row> expected = new HashMap<>();
        for (Row r : spark.sql("SELECT r.user_id, "
                + "avg(CASE WHEN array_contains(m.genres, 'Drama') THEN 1D ELSE 0D END) AS drama, "
                + "avg(CASE WHEN array_contains(m.genres, 'Sci-Fi') THEN 1D ELSE 0D END) AS scifi "
                + "FROM silver.ratings r JOIN silver.movies m ON r.item_id = m.item_id "
                + "WHERE r.event_time < " + CUT + " GROUP BY r.user_id").collectAsList()) {
            expected.put(r.getString(0), r);
        }
        assertThat(expected).hasSize(dateAfter.size());
        int drama = genres.indexOf("Drama");
        int scifi = genres.indexOf("Sci-Fi");
        for (Row r : dateAfter) {
            Row e = expected.get(r.getString(r.fieldIndex("user_id")));
            List<Double> affinity = r.getList(r.fieldIndex("user_genre_affinity"));
            assertThat(affinity).hasSize(genres.size());
            assertThat(affinity.get(drama)).isCloseTo(e.getDouble(1), within(EPS));
            assertThat(affinity.get(scifi)).isCloseTo(e.getDouble(2), within(EPS));
        }
    }

    @Test
    void itemStatisticsMatchPlainSql() {
        Dataset<Row> actual = table("item").where("feature_date = DATE'" + DATE + "'");
        assertThat(actual.count()).as("every movie has a row, rated or not")
                .isEqualTo(spark.table("silver.movies").count());
        String sql = "WITH r AS (SELECT * FROM silver.ratings WHERE event_time < " + CUT + "), "
                + "g AS (SELECT avg(rating) AS m FROM r) "
                + "SELECT r.item_id, count(*) AS n_all, "
                + "  sum(CASE WHEN event_time >= " + CUT + " - INTERVAL 30 DAYS THEN 1 ELSE 0 END) AS n_30, "
                + "  count(DISTINCT user_id) AS users, avg(rating) AS mean, "
                + "  (10 * first(g.m) + sum(rating)) / (10 + count(rating)) AS bayes, "
                + "  avg(CASE WHEN event_time >= " + CUT + " - INTERVAL 90 DAYS THEN rating END) "
                + "    - avg(CASE WHEN event_time < " + CUT + " - INTERVAL 90 DAYS THEN rating END) AS trend "
                + "FROM r CROSS JOIN g GROUP BY r.item_id";
        Map<String, Row> expected = new HashMap<>();
        spark.sql(sql).collectAsList().forEach(r -> expected.put(r.getString(0), r));
        int withTrend = 0;
        for (Row a : actual.collectAsList()) {
            String item = a.getString(a.fieldIndex("item_id"));
            Row e = expected.get(item);
            if (e == null) {
                assertThat(a.getLong(a.fieldIndex("item_popularity_all"))).isZero();
                assertThat(a.isNullAt(a.fieldIndex("item_mean_rating"))).isTrue();
                continue;
            }
            assertThat(a.getLong(a.fieldIndex("item_popularity_all"))).as("item %s", item).isEqualTo(e.getLong(1));
            assertThat(a.getLong(a.fieldIndex("item_popularity_30d"))).as("item %s", item).isEqualTo(e.getLong(2));
            assertThat(a.getLong(a.fieldIndex("item_distinct_users"))).as("item %s", item).isEqualTo(e.getLong(3));
            assertThat(a.getDouble(a.fieldIndex("item_mean_rating"))).isCloseTo(e.getDouble(4), within(EPS));
            assertThat(a.getDouble(a.fieldIndex("item_bayesian_rating"))).isCloseTo(e.getDouble(5), within(EPS));
            if (e.isNullAt(6)) {
                assertThat(a.isNullAt(a.fieldIndex("item_rating_trend"))).as("item %s trend", item).isTrue();
            } else {
                withTrend++;
                assertThat(a.getDouble(a.fieldIndex("item_rating_trend"))).isCloseTo(e.getDouble(6), within(EPS));
            }
        }
        assertThat(withTrend).as("items with ratings both inside and before the trend window").isPositive();
    }

    @Test
    void releaseYearAndGenresMatchJavaOverTheRawMoviesCsv() {
        List<String> genres = FeatureRegistry.load(config).definitions().stream()
                .filter(d -> d.name().equals("item_genres")).findFirst().orElseThrow().vocabulary();
        Pattern year = Pattern.compile("\\((\\d{4})\\)\\s*$");
        Map<String, Row> actual = new HashMap<>();
        table("item").where("feature_date = DATE'" + DATE + "'").collectAsList()
                .forEach(r -> actual.put(r.getString(r.fieldIndex("item_id")), r));
        int withYear = 0;
        for (Row m : spark.read().option("header", "true").option("escape", "\"")
                .csv(MovieLensLake.ML.resolve("movies.csv").toString())
                .collectAsList()) {
            // MovieLens ids are the strings of their numbers ("1", "356"), as in the raw file.
            String item = m.getString(0);
            Row a = actual.get(item);
            assertThat(a).as("item %s", item).isNotNull();
            Matcher match = year.matcher(m.getString(1));
            if (match.find()) {
                withYear++;
                assertThat(a.getInt(a.fieldIndex("item_release_year"))).as(m.getString(1))
                        .isEqualTo(Integer.parseInt(match.group(1)));
            } else {
                assertThat(a.isNullAt(a.fieldIndex("item_release_year"))).as(m.getString(1)).isTrue();
            }
            List<String> itemGenres = List.of(m.getString(2).split("\\|"));
            List<Integer> bits = a.getList(a.fieldIndex("item_genres"));
            for (int i = 0; i < genres.size(); i++) {
                assertThat(bits.get(i)).as("item %s genre %s", item, genres.get(i))
                        .isEqualTo(itemGenres.contains(genres.get(i)) ? 1 : 0);
            }
        }
        assertThat(withYear).isGreaterThan(9000);
    }

    @Test
    void userItemTagCountsMatchPlainSql() {
        Dataset<Row> expected = spark.sql("SELECT user_id, item_id, count(*) AS n FROM silver.tags WHERE event_time < "
                + CUT + " GROUP BY user_id, item_id");
        Dataset<Row> actual = table("user_item").where("feature_date = DATE'" + DATE + "'")
                .selectExpr("user_id", "item_id", "user_item_tags AS n");
        assertThat(expected.count()).isPositive();
        assertThat(actual.exceptAll(expected).count()).isZero();
        assertThat(expected.exceptAll(actual).count()).isZero();
    }

    @Test
    void aDefinitionNamingAMissingColumnFailsWithItsName() {
        MillraceConfig bad = config.with(Map.of(
                "millrace.features.definitions.user_mean_stars.entity", "user",
                "millrace.features.definitions.user_mean_stars.source", "ratings",
                "millrace.features.definitions.user_mean_stars.aggregation", "mean",
                "millrace.features.definitions.user_mean_stars.column", "stars"));
        assertThatThrownBy(() -> new FeaturesJob(spark, bad).plan(SnapshotTimes.of(DATE)))
                .isInstanceOf(FeatureDefinitionException.class)
                .hasMessageContaining("feature 'user_mean_stars'")
                .hasMessageContaining("column 'stars' not found in source 'ratings'");
    }
}
