package dev.millrace.jobs.ingest;

import dev.millrace.core.spark.SharedSpark;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A file read as many byte-range splits keeps exact line numbers, and no line is read twice or missed. */
class SplitLineNumbersTest {

    @Test
    void everyRowKeepsItsLineAcrossSplits() throws Exception {
        Path src = SharedSpark.newLakeDir("splits");
        StringBuilder sb = new StringBuilder("userId,movieId,rating,timestamp\n");
        int rows = 3000;
        for (int i = 0; i < rows; i++) {
            // Line i+2 holds item i; every 97th row is broken on purpose.
            sb.append(i % 97 == 0 ? "1," + i + ",bad," : "1," + i + ",3.0,").append(1_500_000_000 + i).append('\n');
        }
        Files.writeString(src.resolve("ratings.csv"), sb.toString());
        IngestFixture lake = new IngestFixture("splits", Map.of("millrace.ingest.split-size", 1500,
                "millrace.ingest.max-reject-ratio", 1.0));
        IngestFixture.Result r = lake.ingestMovieLens(src.toString());
        assertThat(r.number("ratings", "rows_in")).isEqualTo(rows);
        assertThat(lake.table(Entity.RATINGS.silver()).filter("_line != CAST(item_id AS BIGINT) + 2").count()).isZero();
        List<Long> badLines = lake.table(Entity.RATINGS.quarantine()).orderBy("_line").select("_line")
                .collectAsList().stream().map(x -> x.getLong(0)).toList();
        assertThat(badLines).hasSize((rows + 96) / 97).allMatch(l -> (l - 2) % 97 == 0);
        assertThat(lake.table(Entity.RATINGS.silver()).count()).isEqualTo(rows - badLines.size());
    }
}
