package dev.millrace.jobs.ingest;

import dev.millrace.core.spark.SharedSpark;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Later deliveries against what silver already holds: new files only, unchanged rows, conflicts, dimension updates. */
class IncrementalIngestTest {

    @Test
    void laterDeliveriesAreJudgedAgainstSilver() throws Exception {
        Path src = SharedSpark.newLakeDir("incremental-src");
        IngestFixture lake = new IngestFixture("incremental", Map.of("millrace.ingest.max-reject-ratio", 1.0));
        Files.writeString(src.resolve("ratings-1.csv"), "userId,movieId,rating,timestamp\n1,1,4.0,1500000000\n"
                + "2,2,3.0,1500000000\n");
        Files.writeString(src.resolve("movies-1.csv"), "movieId,title,genres\n1,Old Title (1990),Drama\n");
        IngestFixture.Result first = lake.ingestMovieLens(src.toString());
        assertThat(first.number("ratings", "inserted")).isEqualTo(2);

        // A second delivery: one row already present (same values), one with another rating for the same key, one
        // new row; and a corrected movie title.
        Files.writeString(src.resolve("ratings-2.csv"), "userId,movieId,rating,timestamp\n1,1,4.0,1500000000\n"
                + "2,2,5.0,1500000000\n3,3,2.5,1500000000\n");
        Files.writeString(src.resolve("movies-2.csv"), "movieId,title,genres\n1,New Title (1990),Drama|War\n");
        IngestFixture.Result second = lake.ingestMovieLens(src.toString());

        assertThat(second.number("ratings", "files_new")).isEqualTo(1);
        assertThat(second.number("ratings", "files_already_ingested")).isEqualTo(1);
        assertThat(second.number("ratings", "rows_in")).isEqualTo(3);
        assertThat(second.number("ratings", "inserted")).isEqualTo(1);
        assertThat(second.number("ratings", "unchanged")).isEqualTo(1);
        assertThat(second.quarantined("ratings")).containsExactly(Map.entry("conflicting_duplicate", 1L));
        Row conflict = lake.table(Entity.RATINGS.quarantine()).first();
        assertThat(conflict.<String>getAs("detail")).contains("already in silver.ratings");
        assertThat(conflict.<String>getAs("raw_text")).startsWith("2,2,5.0,");
        assertThat(lake.table(Entity.RATINGS.silver()).count()).isEqualTo(3);
        assertThat(lake.table(Entity.RATINGS.silver()).filter("user_id = '2'").first().<Double>getAs("rating"))
                .isEqualTo(3.0);

        assertThat(second.number("movies", "updated")).isEqualTo(1);
        Row movie = lake.table(Entity.MOVIES.silver()).first();
        assertThat(movie.<String>getAs("title")).isEqualTo("New Title (1990)");
        assertThat(lake.table(Entity.MOVIES.silver()).count()).isEqualTo(1);
    }
}
