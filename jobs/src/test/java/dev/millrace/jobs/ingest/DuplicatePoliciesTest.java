package dev.millrace.jobs.ingest;

import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.spark.SharedSpark;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The mapping's duplicates, negative-weights and normalise settings, on small hand-written feeds. */
class DuplicatePoliciesTest {

    /** Lines 2-3 and 5-6 share a key; line 4 is a return; line 7 a customer written 40213.0. */
    private static final String FEED = """
            customer,sku,qty,time
            7,B00X4WHP5E,2,1700000000
            7,B00X4WHP5E,3,1700000000
            7,7340-RED,-1,1700000100
            8,7340-RED,1,1700000200
            8,7340-RED,5,1700000200
            40213.0,sku-9,4,1700000300
            """;

    private static IngestFixture.Result ingest(IngestFixture lake, Path src, String settings) throws IOException {
        Path mapping = src.resolve("m.conf");
        Files.writeString(mapping, "sources = [ { entity = ratings, files = \"feed*.csv\"\n"
                + "columns { user_id = customer, item_id = sku, weight = qty, event_time = time }\n"
                + "normalise { user_id = [trim, integral] }\n" + settings + " } ]\n");
        return lake.ingest(src.toString(), "csv", mapping.toFile());
    }

    private static Path feed(String name) throws IOException {
        Path src = SharedSpark.newLakeDir(name);
        Files.writeString(src.resolve("feed.csv"), FEED);
        return src;
    }

    private static List<String> silver(IngestFixture lake) {
        return lake.table(Entity.RATINGS.silver()).orderBy("user_id", "item_id")
                .select("user_id", "item_id", "weight").collectAsList().stream()
                .map(r -> r.getString(0) + "/" + r.getString(1) + "/" + r.getDouble(2)).toList();
    }

    @Test
    void sumAddsTheLinesOfOneKeyAndCountsTheFoldedOnes() throws IOException {
        IngestFixture lake = new IngestFixture("dup-sum", Map.of("millrace.ingest.max-reject-ratio", 1.0));
        IngestFixture.Result r = ingest(lake, feed("dup-sum-src"), "duplicates = sum");
        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        assertThat(silver(lake)).containsExactly("40213/sku-9/4.0", "7/B00X4WHP5E/5.0", "8/7340-RED/6.0");
        assertThat(r.number("ratings", "rows_in")).isEqualTo(6);
        assertThat(r.number("ratings", "inserted")).isEqualTo(3);
        assertThat(r.number("ratings", "folded")).isEqualTo(2);
        assertThat(r.number("ratings", "accepted")).isEqualTo(5);
        assertThat(r.quarantined("ratings")).containsExactly(Map.entry("negative_weight", 1L));
        // The kept row is the first line of its key, with the summed weight; bronze keeps every line as written.
        assertThat(lake.table(Entity.RATINGS.silver()).filter("user_id = '8'").first().<Long>getAs("_line"))
                .isEqualTo(5L);
        assertThat(lake.table(Entity.RATINGS.bronze()).count()).isEqualTo(6);
    }

    @Test
    void firstAndLastKeepOneRowOfAKey() throws IOException {
        IngestFixture first = new IngestFixture("dup-first", Map.of("millrace.ingest.max-reject-ratio", 1.0));
        IngestFixture.Result f = ingest(first, feed("dup-first-src"), "duplicates = first");
        assertThat(silver(first)).containsExactly("40213/sku-9/4.0", "7/B00X4WHP5E/2.0", "8/7340-RED/1.0");
        assertThat(f.number("ratings", "folded")).isEqualTo(2);
        IngestFixture last = new IngestFixture("dup-last", Map.of("millrace.ingest.max-reject-ratio", 1.0));
        IngestFixture.Result l = ingest(last, feed("dup-last-src"), "duplicates = last");
        assertThat(silver(last)).containsExactly("40213/sku-9/4.0", "7/B00X4WHP5E/3.0", "8/7340-RED/5.0");
        assertThat(l.number("ratings", "folded")).isEqualTo(2);
        assertThat(l.number("ratings", "rows_in"))
                .isEqualTo(l.number("ratings", "accepted") + l.number("ratings", "quarantined"));
    }

    @Test
    void rejectIsTheDefaultAndKeepStoresNegativeWeights() throws IOException {
        IngestFixture lake = new IngestFixture("dup-reject", Map.of("millrace.ingest.max-reject-ratio", 1.0));
        IngestFixture.Result r = ingest(lake, feed("dup-reject-src"), "negative-weights = keep");
        assertThat(silver(lake)).containsExactly("40213/sku-9/4.0", "7/7340-RED/-1.0", "7/B00X4WHP5E/2.0",
                "8/7340-RED/1.0");
        assertThat(r.quarantined("ratings")).containsExactly(Map.entry("conflicting_duplicate", 2L));
        assertThat(r.number("ratings", "folded")).isZero();
    }

    @Test
    void firstFoldsARowWhoseKeyIsAlreadyInSilver() throws IOException {
        IngestFixture lake = new IngestFixture("dup-again", Map.of("millrace.ingest.max-reject-ratio", 1.0));
        Path src = feed("dup-again-src");
        ingest(lake, src, "duplicates = first");
        Files.writeString(src.resolve("feed-2.csv"), "customer,sku,qty,time\n7,B00X4WHP5E,9,1700000000\n");
        IngestFixture.Result r = ingest(lake, src, "duplicates = first");
        assertThat(r.number("ratings", "rows_in")).isEqualTo(1);
        assertThat(r.number("ratings", "folded")).isEqualTo(1);
        assertThat(silver(lake)).contains("7/B00X4WHP5E/2.0").doesNotContain("7/B00X4WHP5E/9.0");
    }

    @Test
    void keysThatCannotBeNormalisedAreQuarantinedAsBadKey() throws IOException {
        Path src = SharedSpark.newLakeDir("bad-key-src");
        Files.writeString(src.resolve("feed.csv"), "customer,sku,qty,time\n"
                + "40213.5,A,1,1700000000\n"       // 2 a fraction: not integral
                + "x7,A,1,1700000000\n"            // 3 not a number
                + " 12 ,A,1,1700000000\n"          // 4 trimmed, then integral: "12"
                + "   ,A,1,1700000000\n"           // 5 only blanks: an empty key
                + "12," + "S".repeat(129) + ",1,1700000000\n"); // 6 a SKU over 128 characters
        IngestFixture lake = new IngestFixture("bad-key", Map.of("millrace.ingest.max-reject-ratio", 1.0));
        IngestFixture.Result r = ingest(lake, src, "");
        assertThat(r.quarantined("ratings")).containsExactly(Map.entry("bad_key", 3L), Map.entry("null_key", 1L));
        assertThat(silver(lake)).containsExactly("12/A/1.0");
        List<String> details = lake.table(Entity.RATINGS.quarantine()).orderBy("_line").select("detail")
                .collectAsList().stream().map(x -> x.getString(0)).toList();
        assertThat(details.get(0)).isEqualTo("user_id: '40213.5' has a fractional part");
        assertThat(details.get(1)).isEqualTo("user_id: 'x7' is not an integral number");
        assertThat(details.get(2)).isEqualTo("user_id is blank");
        assertThat(details.get(3)).startsWith("item_id: 'SSSS").contains("is 129 characters long");
    }

    @Test
    void mappingMistakesInThePoliciesAreNamed() throws IOException {
        Path src = SharedSpark.newLakeDir("policy-bad");
        Path mapping = src.resolve("m.conf");
        Files.writeString(mapping, "sources = [ { entity = ratings, duplicates = sum, columns { user_id = 1, "
                + "item_id = 2, rating = 3, event_time = 4 } } ]");
        assertThatThrownBy(() -> MappingFile.read(mapping.toFile(), SourceFormat.CSV))
                .hasMessageContaining("sources[0]").hasMessageContaining("duplicates = sum");
        Files.writeString(mapping, "sources = [ { entity = ratings, duplicates = most, columns { user_id = 1, "
                + "item_id = 2, weight = 3, event_time = 4 } } ]");
        assertThatThrownBy(() -> MappingFile.read(mapping.toFile(), SourceFormat.CSV))
                .hasMessageContaining("reject, first, last or sum");
        Files.writeString(mapping, "sources = [ { entity = ratings, normalise { event_time = [trim] }, columns { "
                + "user_id = 1, item_id = 2, weight = 3, event_time = 4 } } ]");
        assertThatThrownBy(() -> MappingFile.read(mapping.toFile(), SourceFormat.CSV))
                .hasMessageContaining("only id fields can be normalised");
        Files.writeString(mapping, "sources = [ { entity = ratings, normalise { user_id = [trim, upper] }, columns { "
                + "user_id = 1, item_id = 2, weight = 3, event_time = 4 } } ]");
        assertThatThrownBy(() -> MappingFile.read(mapping.toFile(), SourceFormat.CSV))
                .hasMessageContaining("unknown key normalisation 'upper'");
    }
}
