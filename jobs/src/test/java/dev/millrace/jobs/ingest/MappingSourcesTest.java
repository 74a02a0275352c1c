package dev.millrace.jobs.ingest;

import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.spark.SharedSpark;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Non-MovieLens sources through a mapping file: delimited, JSON lines and Parquet. */
class MappingSourcesTest {

    @Test
    void delimitedLatin1WithoutHeaderByPositionAndPatternTimes() throws Exception {
        Path src = SharedSpark.newLakeDir("map-csv");
        // ISO-8859-1: 0xE9 is 'é' there and invalid alone in UTF-8.
        Files.write(src.resolve("clicks.txt"), ("2024-03-01 10:00:00;u;7;99;1.5\n"
                + "2024-03-01 10:05:00;u;7;98;\n"
                + "01/03/2024;u;7;97;1\n").getBytes(StandardCharsets.ISO_8859_1));
        Files.write(src.resolve("items.txt"), "99;Caf\u00e9 Society\n".getBytes(StandardCharsets.ISO_8859_1));
        Path mapping = src.resolve("mapping.conf");
        Files.writeString(mapping, """
                sources = [
                  { entity = ratings, files = "clicks*.txt", charset = ISO-8859-1
                    csv { delimiter = ";", header = false, columns = 5 }
                    columns { event_time = 1, user_id = 3, item_id = 4, weight = 5 }
                    event-time { format = "yyyy-MM-dd HH:mm:ss", zone = "Europe/Paris" } }
                  { entity = movies, files = "items*.txt", charset = ISO-8859-1
                    csv { delimiter = ";", header = false }
                    columns { item_id = 1, title = 2 } }
                ]
                """);
        IngestFixture lake = new IngestFixture("map-csv", Map.of("millrace.ingest.max-reject-ratio", 0.5));
        IngestFixture.Result r = lake.ingest(src.toString(), "csv", mapping.toFile());
        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        List<Row> rows = lake.table(Entity.RATINGS.silver()).orderBy("item_id")
                .select("item_id", "weight", "rating", "event_time").collectAsList();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).getDouble(1)).isEqualTo(1.0);   // empty weight defaults to 1
        assertThat(rows.get(1).getDouble(1)).isEqualTo(1.5);
        assertThat(rows.get(1).isNullAt(2)).isTrue();          // implicit feedback: no rating
        assertThat(rows.get(1).getTimestamp(3).toInstant().toString()).isEqualTo("2024-03-01T09:00:00Z");
        assertThat(r.quarantined("ratings")).containsExactly(Map.entry("bad_type", 1L));
        assertThat(lake.table(Entity.MOVIES.silver()).first().<String>getAs("title")).isEqualTo("Caf\u00e9 Society");
    }

    @Test
    void jsonLinesWithNestedFieldsAndMillis() throws Exception {
        Path src = SharedSpark.newLakeDir("map-json");
        Files.writeString(src.resolve("events.json"), """
                {"user": {"id": 1}, "item": 5, "stars": 4.5, "ts": 1700000000000}
                {"user": {"id": 2}, "item": 6, "stars": "x", "ts": 1700000000000}
                not json at all
                {"user": {"id": 3}, "item": 7, "stars": 3, "ts": 1700000000000}
                """);
        Path mapping = src.resolve("m.conf");
        Files.writeString(mapping, """
                sources = [ { entity = ratings, files = "events*.json"
                  columns { user_id = user.id, item_id = item, rating = stars, event_time = ts }
                  event-time.format = epoch_millis } ]
                """);
        IngestFixture lake = new IngestFixture("map-json", Map.of("millrace.ingest.max-reject-ratio", 1.0));
        IngestFixture.Result r = lake.ingest(src.toString(), "json", mapping.toFile());
        assertThat(r.code()).isZero();
        assertThat(lake.table(Entity.RATINGS.silver()).orderBy("user_id").select("user_id").collectAsList().stream()
                .map(x -> x.getString(0)).toList()).containsExactly("1", "3");
        assertThat(r.quarantined("ratings")).containsEntry("bad_type", 1L).containsEntry("unparseable_line", 1L);
    }

    @Test
    void parquetByColumnName() throws Exception {
        Path src = SharedSpark.newLakeDir("map-parquet");
        SharedSpark.session().createDataFrame(List.of(RowFactory.create(1L, 2L, 3.5, "2024-01-02T03:04:05Z"),
                        RowFactory.create(1L, 3L, 7.0, "2024-01-02T03:04:05Z")),
                DataTypes.createStructType(List.of(
                        DataTypes.createStructField("u", DataTypes.LongType, false),
                        DataTypes.createStructField("i", DataTypes.LongType, false),
                        DataTypes.createStructField("r", DataTypes.DoubleType, false),
                        DataTypes.createStructField("t", DataTypes.StringType, false))))
                .coalesce(1).write().parquet(src.resolve("pq").toString());
        Path mapping = src.resolve("m.conf");
        Files.writeString(mapping, """
                sources = [ { entity = ratings, files = "*.parquet"
                  columns { user_id = u, item_id = i, rating = r, event_time = t }, event-time.format = iso } ]
                """);
        IngestFixture lake = new IngestFixture("map-parquet", Map.of("millrace.ingest.max-reject-ratio", 1.0));
        IngestFixture.Result r = lake.ingest(src.resolve("pq").toString(), "parquet", mapping.toFile());
        assertThat(r.code()).isZero();
        assertThat(lake.table(Entity.RATINGS.silver()).count()).isEqualTo(1);
        Row q = lake.table(Entity.RATINGS.quarantine()).first();
        assertThat(q.<String>getAs("reason")).isEqualTo("rating_out_of_range");
        assertThat(q.<Long>getAs("_line")).isBetween(1L, 2L);
    }

    @Test
    void mappingMistakesAreNamed() throws Exception {
        Path src = SharedSpark.newLakeDir("map-bad");
        Path mapping = src.resolve("m.conf");
        Files.writeString(mapping, "sources = [ { entity = ratings, columns { user_id = 1, item_id = 2 } } ]");
        assertThatThrownBy(() -> MappingFile.read(mapping.toFile(), SourceFormat.CSV))
                .hasMessageContaining("sources[0]").hasMessageContaining("required field 'event_time'");
        Files.writeString(mapping, "sources = [ { entity = ratingz, columns { } } ]");
        assertThatThrownBy(() -> MappingFile.read(mapping.toFile(), SourceFormat.CSV))
                .hasMessageContaining("unknown entity 'ratingz'");
        Files.writeString(src.resolve("ratings.csv"), "a,b,c,d\n1,2,3,4\n");
        IngestFixture lake = new IngestFixture("map-bad", Map.of());
        assertThatThrownBy(() -> lake.ingestMovieLens(src.toString()))
                .hasMessageContaining("has no column 'userId'");
    }
}
