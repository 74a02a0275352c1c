package dev.millrace.jobs.ingest;

import dev.millrace.core.lake.TableName;
import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.jobs.cli.JobContext;
import dev.millrace.jobs.sql.SqlCommand;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Ingest of the real MovieLens ml-latest-small files (../shared/data), once for the class, then a second time. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MovieLensIngestTest {

    private static final Path ML = SharedSpark.sharedData().resolve("movielens/ml-latest-small");
    private IngestFixture lake;
    private IngestFixture.Result first;
    private Map<TableName, Long> versionsAfterFirst;
    private IngestFixture.Result second;

    @BeforeAll
    void ingestTwice() {
        assertThat(ML.resolve("ratings.csv")).as("MovieLens data in ../shared/data").exists();
        lake = new IngestFixture("movielens", Map.of());
        first = lake.ingestMovieLens(ML.toString());
        versionsAfterFirst = versions();
        second = lake.ingestMovieLens(ML.toString());
    }

    private Map<TableName, Long> versions() {
        Map<TableName, Long> v = new LinkedHashMap<>();
        for (Entity e : Entity.values()) {
            for (TableName t : List.of(e.bronze(), e.silver())) {
                v.put(t, lake.version(t));
            }
        }
        v.put(IngestLedger.TABLE, lake.version(IngestLedger.TABLE));
        return v;
    }

    @Test
    void loadsEveryRowOfEveryFile() {
        assertThat(first.code()).isEqualTo(ExitCodes.OK);
        assertThat(lake.table(Entity.RATINGS.silver()).count()).isEqualTo(100_836L);
        assertThat(lake.table(Entity.MOVIES.silver()).count()).isEqualTo(9_742L);
        assertThat(lake.table(Entity.TAGS.silver()).count()).isEqualTo(3_683L);
        assertThat(lake.table(Entity.LINKS.silver()).count()).isEqualTo(9_742L);
        assertThat(lake.table(Entity.RATINGS.bronze()).count()).isEqualTo(100_836L);
        assertThat(first.number("ratings", "quarantined")).isZero();
        assertThat(first.number("ratings", "rows_in")).isEqualTo(100_836L);
        assertThat(lake.exists(Entity.RATINGS.quarantine())).isFalse();
    }

    @Test
    void keysAreTheIdsDecimalText() {
        var ratings = lake.table(Entity.RATINGS.silver());
        assertThat(ratings.schema().apply("user_id").dataType()).isEqualTo(DataTypes.StringType);
        assertThat(ratings.schema().apply("item_id").dataType()).isEqualTo(DataTypes.StringType);
        assertThat(lake.table(Entity.LINKS.silver()).schema().apply("tmdb_id").dataType())
                .isEqualTo(DataTypes.StringType);
        assertThat(ratings.filter("user_id = '1' AND item_id = '356'").count()).isEqualTo(1L);
        assertThat(ratings.filter("NOT item_id RLIKE '^[1-9][0-9]*$'").count()).isZero();
        assertThat(lake.table(Entity.LINKS.silver()).filter("item_id = '1'").first().<String>getAs("tmdb_id"))
                .isEqualTo("862");
    }

    @Test
    void typesValuesAndShardsRows() {
        Row r = lake.table(Entity.RATINGS.silver())
                .filter("user_id = '1' AND item_id = '1'").select("rating", "event_time", "event_date", "_line",
                        "user_bucket", "event_period").first();
        assertThat(r.getDouble(0)).isEqualTo(4.0);
        assertThat(r.getTimestamp(1).toInstant().getEpochSecond()).isEqualTo(964_982_703L);
        assertThat(r.getDate(2).toString()).isEqualTo("2000-07-30");
        assertThat(r.getLong(3)).isEqualTo(2L); // line 1 is the header
        assertThat(r.getInt(4)).isBetween(0, 3);
        assertThat(r.getDate(5).toString()).isEqualTo("2000-07-01");
        Row toyStory = lake.table(Entity.MOVIES.silver()).filter("item_id = '1'").select("title", "genres").first();
        assertThat(toyStory.getString(0)).isEqualTo("Toy Story (1995)");
        assertThat(toyStory.getList(1)).containsExactly("Adventure", "Animation", "Children", "Comedy", "Fantasy");
        // A quoted title with a comma.
        assertThat(lake.table(Entity.MOVIES.silver()).filter("item_id = '11'").first().<String>getAs("title"))
                .isEqualTo("American President, The (1995)");
        // Every user's rows sit in exactly one bucket.
        assertThat(lake.table(Entity.RATINGS.silver()).groupBy("user_id").agg(
                org.apache.spark.sql.functions.countDistinct("user_bucket").as("b")).filter("b > 1").count()).isZero();
    }

    @Test
    void secondIngestOfTheSameFilesChangesNoTable() {
        assertThat(second.code()).isEqualTo(ExitCodes.OK);
        assertThat(versions()).isEqualTo(versionsAfterFirst);
        assertThat(second.number("ratings", "files_already_ingested")).isEqualTo(1L);
        assertThat(second.report().get("result")).isEqualTo("nothing new to ingest");
    }

    @Test
    void sqlAnswersTopTenMoviesByRatingCount() throws IOException {
        Map<String, Long> counts = new HashMap<>();
        List<String> lines = Files.readAllLines(ML.resolve("ratings.csv"), StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            counts.merge(line.split(",")[1], 1L, Long::sum);
        }
        List<String> expected = counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(10).map(e -> e.getKey() + "," + e.getValue()).collect(Collectors.toList());

        String out = runSql("--format", "csv", "SELECT item_id, count(*) AS n FROM silver.ratings "
                + "GROUP BY item_id ORDER BY n DESC, item_id LIMIT 10");
        List<String> rows = new ArrayList<>(List.of(out.strip().split("\\R")));
        assertThat(rows.remove(0)).isEqualTo("item_id,n");
        assertThat(rows).isEqualTo(expected);
        assertThat(expected.get(0)).isEqualTo("356,329"); // Forrest Gump
    }

    @Test
    void sqlTimeTravelsToEarlierVersions() {
        String out = runSql("--format", "json", "SELECT count(*) AS n FROM silver.ratings VERSION AS OF 0");
        assertThat(out.strip()).isEqualTo("{\"n\":100836}");
    }

    private String runSql(String... args) {
        SqlCommand command = new SqlCommand();
        new CommandLine(command).parseArgs(args);
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = command.execute(new JobContext(lake.config, lake.spark));
            assertThat(code).isZero();
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
