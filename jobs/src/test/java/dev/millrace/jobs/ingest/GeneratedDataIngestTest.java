package dev.millrace.jobs.ingest;

import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.jobs.generate.GeneratorSpec;
import dev.millrace.jobs.generate.MovieLensGenerator;
import dev.millrace.jobs.generate.Shape;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The generator is deterministic, and ingest quarantines exactly the rows it broke, by kind. */
class GeneratedDataIngestTest {

    private static GeneratorSpec spec(long seed, double bad) {
        return new GeneratorSpec(300, 400, 20_000, seed, bad, Instant.parse("2023-01-01T00:00:00Z"),
                Instant.parse("2023-12-31T00:00:00Z"));
    }

    @Test
    void sameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws Exception {
        Path a = SharedSpark.newLakeDir("gen-a");
        Path b = SharedSpark.newLakeDir("gen-b");
        Path c = SharedSpark.newLakeDir("gen-c");
        new MovieLensGenerator(spec(11, 0.01)).writeTo(a);
        new MovieLensGenerator(spec(11, 0.01)).writeTo(b);
        new MovieLensGenerator(spec(12, 0.01)).writeTo(c);
        for (String f : new String[] {"ratings.csv", "movies.csv", "tags.csv", "links.csv"}) {
            assertThat(sha(a.resolve(f))).as(f).isEqualTo(sha(b.resolve(f)));
        }
        assertThat(sha(a.resolve("ratings.csv"))).isNotEqualTo(sha(c.resolve("ratings.csv")));
        long lines = 0;
        for (byte x : Files.readAllBytes(a.resolve("ratings.csv"))) {
            lines += x == '\n' ? 1 : 0;
        }
        assertThat(lines).isGreaterThan(20_000);
    }

    @Test
    void quarantineMatchesTheInjectedBadRowsExactly() throws Exception {
        Path src = SharedSpark.newLakeDir("gen-src");
        Map<String, Object> manifest = new MovieLensGenerator(spec(5, 0.02)).writeTo(src);
        IngestFixture lake = new IngestFixture("generated", Map.of());
        IngestFixture.Result r = lake.ingestMovieLens(src.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        @SuppressWarnings("unchecked")
        Map<String, Long> injected = (Map<String, Long>) manifest.get("bad_rating_lines");
        assertThat(injected).containsKeys("bad_type", "bad_key");
        assertThat(r.quarantined("ratings")).isEqualTo(injected);
        assertThat(lake.table(Entity.RATINGS.silver()).count()).isEqualTo((Long) manifest.get("good_rating_rows"));
        assertThat(r.number("ratings", "rows_in")).isEqualTo((Long) manifest.get("rating_lines"));
        assertThat(lake.table(Entity.MOVIES.silver()).count()).isEqualTo(400L);
        // Popularity is long-tailed: the most rated movie has many times the median's ratings.
        long top = lake.spark.sql("SELECT max(n) FROM (SELECT count(*) n FROM delta.`"
                + lake.lake.location(Entity.RATINGS.silver()) + "` GROUP BY item_id)").first().getLong(0);
        double median = lake.spark.sql("SELECT percentile(n, 0.5) FROM (SELECT count(*) n FROM delta.`"
                + lake.lake.location(Entity.RATINGS.silver()) + "` GROUP BY item_id)").first().getDouble(0);
        assertThat(top).isGreaterThan((long) (5 * median));
    }

    @Test
    void interactionsShapeWritesTheSameRatingsAndNothingElse() throws Exception {
        Path full = SharedSpark.newLakeDir("gen-full");
        Path only = SharedSpark.newLakeDir("gen-interactions");
        GeneratorSpec ml = spec(8, 0.01);
        new MovieLensGenerator(ml).writeTo(full);
        Map<String, Object> manifest = new MovieLensGenerator(new GeneratorSpec(ml.users(), ml.items(), ml.events(),
                ml.seed(), ml.badFraction(), ml.start(), ml.end(), Shape.INTERACTIONS, 0, 0)).writeTo(only);
        try (var files = Files.list(only)) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
                    .containsExactly("_generator.json", "ratings.csv");
        }
        assertThat(sha(only.resolve("ratings.csv"))).isEqualTo(sha(full.resolve("ratings.csv")));
        assertThat(manifest).containsEntry("shape", "interactions").containsEntry("tag_lines", 0L);
        IngestFixture lake = new IngestFixture("generated-interactions", Map.of());
        IngestFixture.Result r = lake.ingestMovieLens(only.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        assertThat(lake.table(Entity.RATINGS.silver()).count()).isEqualTo((Long) manifest.get("good_rating_rows"));
        assertThat(lake.exists(Entity.MOVIES.silver())).isFalse();
        assertThat(r.number("movies", "files_new")).isZero();
    }

    private static String sha(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
