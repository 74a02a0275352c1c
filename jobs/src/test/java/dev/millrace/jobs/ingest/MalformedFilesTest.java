package dev.millrace.jobs.ingest;

import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.spark.SharedSpark;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Broken files of every kind: each bad row must reach quarantine with the right reason and line, and no good row may
 * be lost. Rows in = accepted + quarantined.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedFilesTest {

    /** line number -> expected reason, for ratings.csv below (line 1 is the header). */
    private static final Map<Long, String> EXPECTED = new TreeMap<>(Map.ofEntries(
            Map.entry(4L, "unparseable_line"),
            Map.entry(5L, "wrong_column_count"),
            Map.entry(6L, "wrong_column_count"),
            Map.entry(7L, "bad_key"),
            Map.entry(8L, "bad_type"),
            Map.entry(9L, "rating_out_of_range"),
            Map.entry(10L, "rating_out_of_range"),
            Map.entry(11L, "null_key"),
            Map.entry(12L, "null_key"),
            Map.entry(13L, "null_key"),
            Map.entry(14L, "timestamp_out_of_range"),
            Map.entry(15L, "invalid_encoding"),
            Map.entry(17L, "duplicate"),
            Map.entry(18L, "conflicting_duplicate"),
            Map.entry(19L, "bad_type"),
            Map.entry(21L, "timestamp_out_of_range")));

    private IngestFixture lake;
    private IngestFixture.Result result;
    private Path source;

    @BeforeAll
    void ingestBrokenFiles() throws IOException {
        source = SharedSpark.newLakeDir("malformed-src");
        ByteArrayOutputStream ratings = new ByteArrayOutputStream();
        write(ratings, "userId,movieId,rating,timestamp\r\n");
        write(ratings, "1,10,4.0,1500000000\r\n");           // 2 good
        write(ratings, "1,11,3.5,1500000100\r\n");           // 3 good
        write(ratings, "2,\"12,3.0,1500000200\r\n");         // 4 unbalanced quote
        write(ratings, "2,13,3.0\r\n");                      // 5 too few columns
        write(ratings, "2,14,3.0,1500000300,9\r\n");         // 6 too many columns
        write(ratings, "x3,15,3.0,1500000400\r\n");          // 7 user id not integral (the mapping says integral)
        write(ratings, "3,16,abc,1500000500\r\n");           // 8 rating not a number
        write(ratings, "3,17,0.0,1500000600\r\n");           // 9 rating below 0.5
        write(ratings, "3,18,5.5,1500000700\r\n");           // 10 rating above 5
        write(ratings, ",19,4.0,1500000800\r\n");            // 11 missing user
        write(ratings, "4,,4.0,1500000800\r\n");             // 12 missing item
        write(ratings, "4,20,4.0,\r\n");                     // 13 missing time
        write(ratings, "4,21,4.0,100\r\n");                  // 14 time in 1970
        ratings.write(new byte[] {'4', ',', '2', '2', ',', '4', (byte) 0xC3, (byte) 0x28, ',', '1', '5', '0', '0',
            '0', '0', '0', '9', '0', '0', '\r', '\n'});      // 15 invalid UTF-8
        write(ratings, "5,23,2.0,1500001000\r\n");           // 16 good
        write(ratings, "5,23,2.0,1500001000\r\n");           // 17 exact duplicate
        write(ratings, "5,23,4.5,1500001000\r\n");           // 18 same key, other rating
        write(ratings, "6,25,NaN,1500001100\r\n");           // 19 NaN rating
        write(ratings, "\r\n");                              // 20 blank line
        write(ratings, "6,24,3.0,15000011");                 // 21 truncated last line, no newline
        Files.write(source.resolve("ratings.csv"), ratings.toByteArray());
        Files.writeString(source.resolve("ratings-empty.csv"), "");
        Files.writeString(source.resolve("ratings-2.csv"), "userId,movieId,rating,timestamp\n7,30,5.0,1500002000\n"
                + "7,31,0.5,1500002001\n");
        Files.writeString(source.resolve("movies.csv"), "movieId,title,genres\n10,\"Good, The (1999)\",Drama|War\n"
                + "11,,Comedy\n12,Plain (2000),(no genres listed)\n");
        Files.writeString(source.resolve("tags.csv"), "userId,movieId,tag,timestamp\n");
        Files.writeString(source.resolve("links.csv"), "movieId,imdbId,tmdbId\n10,0114709,862\n11,0113497,\n");

        lake = new IngestFixture("malformed", Map.of("millrace.ingest.max-reject-ratio", 1.0));
        result = lake.ingestMovieLens(source.toString());
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyBadRowIsQuarantinedWithItsReasonAndLine() {
        assertThat(result.code()).isEqualTo(ExitCodes.OK);
        Map<Long, String> actual = lake.table(Entity.RATINGS.quarantine())
                .filter("_source_file LIKE '%/ratings.csv'").select("_line", "reason").collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getLong(0), r -> r.getString(1), (a, b) -> a + "+" + b,
                        TreeMap::new));
        assertThat(actual).isEqualTo(EXPECTED);
    }

    @Test
    void noGoodRowIsLost() {
        List<String> good = lake.table(Entity.RATINGS.silver()).orderBy("user_id", "item_id")
                .select("user_id", "item_id", "rating").collectAsList().stream()
                .map(r -> r.getString(0) + "/" + r.getString(1) + "/" + r.getDouble(2)).toList();
        assertThat(good).containsExactly("1/10/4.0", "1/11/3.5", "5/23/2.0", "7/30/5.0", "7/31/0.5");
    }

    @Test
    void rowsInEqualAcceptedPlusQuarantined() {
        assertThat(result.number("ratings", "rows_in")).isEqualTo(5 + EXPECTED.size());
        assertThat(result.number("ratings", "accepted")).isEqualTo(5);
        assertThat(result.number("ratings", "quarantined")).isEqualTo(EXPECTED.size());
        assertThat(result.number("ratings", "blank_lines_skipped")).isEqualTo(1);
        assertThat(result.number("ratings", "files_new")).isEqualTo(3);
        assertThat(result.number("ratings", "files_empty")).isEqualTo(1);
        assertThat(result.quarantined("ratings")).containsEntry("null_key", 3L).containsEntry("bad_type", 2L)
                .containsEntry("bad_key", 1L);
        // Bronze keeps every row read, good or bad.
        assertThat(lake.table(Entity.RATINGS.bronze()).count()).isEqualTo(5 + EXPECTED.size());
    }

    @Test
    void quarantineKeepsRawTextAndExplains() {
        Row enc = lake.table(Entity.RATINGS.quarantine()).filter("_line = 15").select("raw_text", "detail").first();
        assertThat(enc.getString(0)).startsWith("4,22,4").endsWith(",1500000900");
        assertThat(enc.getString(1)).contains("invalid UTF-8 byte 0xC3");
        Row truncated = lake.table(Entity.RATINGS.quarantine()).filter("_line = 21").select("raw_text", "detail")
                .first();
        assertThat(truncated.getString(0)).isEqualTo("6,24,3.0,15000011");
        assertThat(truncated.getString(1)).contains("truncated?");
        Row quote = lake.table(Entity.RATINGS.quarantine()).filter("_line = 4").select("raw_text", "detail").first();
        assertThat(quote.getString(0)).isEqualTo("2,\"12,3.0,1500000200");
        assertThat(quote.getString(1)).contains("unbalanced quote");
    }

    @Test
    void dimensionsQuarantineMissingRequiredValuesAndKeepOptionalNulls() {
        assertThat(result.quarantined("movies")).containsExactly(Map.entry("missing_value", 1L));
        Row good = lake.table(Entity.MOVIES.silver()).filter("item_id = '10'").first();
        assertThat(good.<String>getAs("title")).isEqualTo("Good, The (1999)");
        assertThat(lake.table(Entity.MOVIES.silver()).filter("item_id = '12'").first().getList(
                lake.table(Entity.MOVIES.silver()).first().fieldIndex("genres"))).isEmpty();
        assertThat(lake.table(Entity.LINKS.silver()).count()).isEqualTo(2);
        assertThat(lake.table(Entity.LINKS.silver()).filter("item_id = '11'").first().isNullAt(2)).isTrue();
        assertThat(result.number("tags", "rows_in")).isZero();
        assertThat(result.number("tags", "files_empty")).isEqualTo(1);
    }
}
