package dev.millrace.jobs.features;

import dev.millrace.core.config.MillraceConfig;
import dev.millrace.core.lake.Lake;
import dev.millrace.core.lake.TableName;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.run.RunReport;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.featurestore.definitions.FeatureDefinitionException;
import dev.millrace.featurestore.definitions.RunnableFeatures;
import dev.millrace.featurestore.offline.SnapshotTimes;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.ingest.IngestJob;
import dev.millrace.jobs.ingest.IngestRequest;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A feed of interactions only (a MovieLens-layout folder with ratings.csv and nothing else, string keys such as a
 * feed's customer codes and SKUs) through ingest, features and the training set with the shipped conf: the features
 * over silver.tags and silver.movies are skipped with one line naming them, the rest are computed, a required one
 * fails, the training set is built from what is there, and {@code features --list} names the missing tables.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InteractionOnlyFeedTest {

    private static final Set<String> SKIPPED = Set.of("user_genre_affinity", "item_genres", "item_release_year",
            "user_item_tags", "user_item_tag_recency_days");
    private static final LocalDate FIRST = LocalDate.of(2024, 3, 1);
    private static final LocalDate LAST = LocalDate.of(2024, 3, 10);

    private SparkSession spark;
    private MillraceConfig config;
    private Lake lake;
    private RunReport featuresReport;
    private RunnableFeatures runnable;
    private int ratings;

    @BeforeAll
    void ingestRatingsOnlyThenFeaturesAndTrainingSet() throws IOException {
        spark = SharedSpark.session();
        config = SharedSpark.configWithLake("ratings-only").with(Map.of(
                "millrace.training-set.split.validation-from", "2024-03-07",
                "millrace.training-set.split.test-from", "2024-03-09"));
        lake = Lake.from(config);
        Path source = Files.createTempDirectory("ratings-only-feed");
        List<String> lines = new ArrayList<>(List.of("userId,movieId,rating,timestamp"));
        String[] users = {"cust-0001", "cust-0002", "C-77", "3f2b9c1e-7d4a-4f7e-9a51-0c8e2d6b1a97"};
        String[] items = {"B00X4WHP5E", "7340-RED", "7340-BLUE", "SKU-1", "SKU-2", "SKU-3", "SKU-4", "SKU-5"};
        long day0 = Instant.parse("2024-03-01T09:00:00Z").getEpochSecond();
        for (int d = 0; d < 10; d++) {
            for (int u = 0; u < users.length; u++) {
                // Each user cycles through 5 of the 8 items, so every user has items left to draw negatives from.
                String item = items[(d % 5 + u) % items.length];
                lines.add(users[u] + "," + item + "," + (1 + (d + u) % 5) + ".0," + (day0 + d * 86_400L + u * 60L));
            }
        }
        ratings = lines.size() - 1;
        Files.write(source.resolve("ratings.csv"), lines, StandardCharsets.UTF_8);
        // A mapping of its own: the MovieLens one normalises ids as integers, and these keys are strings.
        Path mapping = Files.createTempFile("ratings-only-mapping", ".conf");
        Files.writeString(mapping, """
                sources = [{
                  entity = ratings, files = "ratings*.csv", format = csv
                  columns { user_id = userId, item_id = movieId, rating = rating, event_time = timestamp }
                  event-time { format = epoch_seconds, zone = UTC }
                }]
                """);
        int code = new IngestJob(spark, config).run(new IngestRequest(source.toString(), "csv", mapping.toFile(),
                null), new RunReport("ingest"));
        assertThat(code).isEqualTo(ExitCodes.OK);

        FeaturesJob features = new FeaturesJob(spark, config);
        runnable = features.runnable();
        featuresReport = new RunReport("features");
        assertThat(features.run(SnapshotTimes.range(FIRST.minusDays(1), LAST, 1), featuresReport))
                .isEqualTo(ExitCodes.OK);
        assertThat(new TrainingSetJob(spark, config).run(Optional.empty(), Optional.empty(),
                new RunReport("training-set"))).isEqualTo(ExitCodes.OK);
    }

    private boolean onDisk(String table) {
        return DeltaTable.isDeltaTable(spark, lake.location(TableName.parse(table)));
    }

    @Test
    void theLakeHoldsRatingsOnly() {
        assertThat(onDisk("silver.ratings")).isTrue();
        assertThat(onDisk("silver.tags")).isFalse();
        assertThat(onDisk("silver.movies")).isFalse();
        assertThat(spark.read().format("delta").load(lake.location(TableName.parse("silver.ratings"))).count())
                .isEqualTo(ratings);
    }

    @Test
    void featuresSkipExactlyThoseOverMissingSourcesWithOneLine() {
        assertThat(runnable.skipped()).extracting(RunnableFeatures.Skipped::feature)
                .containsExactlyInAnyOrderElementsOf(SKIPPED);
        assertThat(runnable.skippedDerived()).containsExactly("user_item_genre_match");
        Object line = featuresReport.get("skipped");
        assertThat(line).isInstanceOf(String.class);
        assertThat((String) line).doesNotContain("\n").contains("missing silver.tags").contains("missing silver.movies");
        SKIPPED.forEach(f -> assertThat((String) line).contains(f));
        assertThat(featuresReport.get("features")).isEqualTo(runnable.registry().definitions().size());

        assertThat(onDisk("features.user_features")).isTrue();
        assertThat(onDisk("features.item_features")).isTrue();
        assertThat(onDisk("features.user_item_features")).as("every user_item feature reads tags").isFalse();
        StructType users = spark.read().format("delta").load(lake.location(TableName.parse("features.user_features")))
                .schema();
        assertThat(users.fieldNames()).contains("user_events_all", "user_mean_rating", "user_recency_days")
                .doesNotContain("user_genre_affinity");
        assertThat(users.apply("user_id").dataType()).isEqualTo(DataTypes.StringType);
    }

    @Test
    void theComputedFeaturesHoldTheStringKeysAndCounts() {
        Row last = spark.read().format("delta").load(lake.location(TableName.parse("features.user_features")))
                .where("feature_date = DATE'" + LAST + "' AND user_id = 'C-77'").first();
        // C-77 rated once a day from March 1 to 10: ten ratings before March 11 00:00.
        assertThat(last.getLong(last.fieldIndex("user_events_all"))).isEqualTo(10L);
        assertThat(last.getLong(last.fieldIndex("user_events_7d"))).isEqualTo(7L);
    }

    @Test
    void aRequiredFeatureOverAMissingSourceFailsTheRun() {
        MillraceConfig strict = config.with(Map.of("millrace.features.definitions.user_item_tags.required", true));
        assertThatThrownBy(() -> new FeaturesJob(spark, strict).run(SnapshotTimes.of(LAST), new RunReport("features")))
                .isInstanceOf(FeatureDefinitionException.class)
                .hasMessageContaining("feature 'user_item_tags' is required")
                .hasMessageContaining("source 'tags' (table silver.tags)")
                .hasMessageContaining("missing silver.tags");
    }

    @Test
    void theTrainingSetIsBuiltFromWhatIsThere() {
        var set = spark.read().format("delta").load(lake.location(TableName.parse("gold.training_set")));
        assertThat(set.schema().apply("user_id").dataType()).isEqualTo(DataTypes.StringType);
        assertThat(set.schema().apply("item_id").dataType()).isEqualTo(DataTypes.StringType);
        assertThat(set.columns()).contains("user_feature_ts", "item_feature_ts", "user_events_all",
                "item_popularity_all").doesNotContain("user_item_feature_ts", "user_item_tags",
                "user_item_genre_match", "item_genres");
        assertThat(set.where("label = 1.0").count()).isEqualTo(ratings);
        assertThat(set.where("label = 0.0").count()).isPositive();
        assertThat(set.where("user_id = '3f2b9c1e-7d4a-4f7e-9a51-0c8e2d6b1a97'").count()).isPositive();
    }

    @Test
    void listShowsEachDefinitionItsSourceAndTheMissingTables() throws Exception {
        FeaturesCommand command = new FeaturesCommand();
        new CommandLine(command).parseArgs("--list");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        int code;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code = command.execute(new JobContext(config, spark));
        } finally {
            System.setOut(out);
        }
        assertThat(code).isEqualTo(ExitCodes.OK);
        String listing = captured.toString(StandardCharsets.UTF_8);
        List<String> lines = listing.lines().toList();
        assertThat(lines).anyMatch(l -> l.startsWith("user_item_tags ") && l.contains("user_item")
                && l.contains("table silver.tags") && l.contains("skipped: missing silver.tags"));
        assertThat(lines).anyMatch(l -> l.startsWith("user_genre_affinity ")
                && l.contains("sql over silver.ratings, silver.movies") && l.contains("missing silver.movies"));
        assertThat(lines).anyMatch(l -> l.startsWith("user_events_all ") && l.contains("table silver.ratings")
                && l.contains("runs (source present)"));
        assertThat(lines).anyMatch(l -> l.contains("derived user_item_genre_match: skipped"));
        assertThat(listing).contains(runnable.registry().definitions().size() + " of "
                + (runnable.registry().definitions().size() + SKIPPED.size()) + " features can run on this lake")
                .contains(SKIPPED.size() + " would be skipped");
        assertThat(listing).doesNotContain("report:");
    }
}
