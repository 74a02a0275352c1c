package dev.millrace.jobs.ingest;

import dev.millrace.core.run.ExitCodes;
import dev.millrace.core.spark.SharedSpark;
import dev.millrace.jobs.generate.GeneratorSpec;
import dev.millrace.jobs.generate.OrdersGenerator;
import dev.millrace.jobs.generate.Shape;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A generated order-lines feed (string SKUs, customers written as NNNNN.0, blank customers, cancellations, repeated
 * lines of one order) through the shipped conf/mappings/orders.conf: every line accounted for, quarantine exactly
 * what the generator injected, repeated lines summed, keys strings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrdersIngestTest {

    private static final Path MAPPING = Path.of("..", "conf", "mappings", "orders.conf");
    private Path source;
    private Map<String, Object> manifest;
    private IngestFixture lake;
    private IngestFixture.Result result;

    @BeforeAll
    void generateAndIngest() throws IOException {
        assertThat(MAPPING).exists();
        source = SharedSpark.newLakeDir("orders-src");
        manifest = new OrdersGenerator(new GeneratorSpec(400, 600, 20_000, 9, 0, Instant.parse("2023-01-01T00:00:00Z"),
                Instant.parse("2023-12-31T00:00:00Z"), Shape.ORDERS, 0.01, 0.02)).writeTo(source);
        lake = new IngestFixture("orders", Map.of());
        result = lake.ingest(source.toString(), "csv", MAPPING.toFile());
    }

    private long manifestNumber(String key) {
        return ((Number) manifest.get(key)).longValue();
    }

    @Test
    void everyLineIsAccountedForAndQuarantineIsWhatWasInjected() {
        assertThat(result.code()).isEqualTo(ExitCodes.OK);
        @SuppressWarnings("unchecked")
        Map<String, Long> injected = (Map<String, Long>) manifest.get("bad_order_lines");
        assertThat(injected).containsOnlyKeys("null_key", "negative_weight");
        assertThat(injected.values()).allMatch(n -> n > 0);
        assertThat(result.quarantined("ratings")).isEqualTo(injected);
        long rowsIn = result.number("ratings", "rows_in");
        assertThat(rowsIn).isEqualTo(manifestNumber("order_lines")).isEqualTo(20_000L);
        assertThat(rowsIn).isEqualTo(result.number("ratings", "accepted") + result.number("ratings", "quarantined"));
        assertThat(manifestNumber("repeated_lines")).isPositive();
        assertThat(result.number("ratings", "folded")).isEqualTo(manifestNumber("repeated_lines"));
        assertThat(result.number("ratings", "inserted")).isEqualTo(manifestNumber("good_order_rows"));
        assertThat(lake.table(Entity.RATINGS.silver()).count()).isEqualTo(manifestNumber("good_order_rows"));
        Row negative = lake.table(Entity.RATINGS.quarantine()).filter("reason = 'negative_weight'").first();
        assertThat(negative.<String>getAs("detail")).startsWith("weight -");
    }

    @Test
    void keysAreStringsCustomersNormalisedAndSkusKeptAsWritten() throws IOException {
        var silver = lake.table(Entity.RATINGS.silver());
        assertThat(silver.schema().apply("user_id").dataType()).isEqualTo(DataTypes.StringType);
        assertThat(silver.schema().apply("item_id").dataType()).isEqualTo(DataTypes.StringType);
        assertThat(silver.filter("NOT user_id RLIKE '^[1-9][0-9]{4}$'").count()).isZero();
        // Customer 10000 is the most active one: written 10000.0, stored "10000".
        assertThat(silver.filter("user_id = '10000'").count()).isPositive();
        Set<String> written = new HashSet<>();
        List<String> lines = Files.readAllLines(source.resolve("orders.csv"), StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            written.add(line.split(",")[1]);
        }
        Set<String> stored = new HashSet<>(silver.select("item_id").distinct().as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList());
        assertThat(written).containsAll(stored);
        assertThat(stored).anyMatch(s -> s.matches("B0[0-9A-Z]{8}")).anyMatch(s -> s.matches("[0-9]{4}-[A-Z]+"));
    }

    @Test
    void repeatedLinesOfOneOrderAreSummed() throws IOException {
        // Sum of the quantities of the lines ingest accepts (a customer, a positive quantity), read from the file.
        long expected = 0;
        List<String> lines = Files.readAllLines(source.resolve("orders.csv"), StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            long quantity = Long.parseLong(f[2]);
            if (!f[5].isEmpty() && quantity > 0) {
                expected += quantity;
            }
        }
        double stored = lake.table(Entity.RATINGS.silver()).selectExpr("sum(weight)").first().getDouble(0);
        assertThat(stored).isEqualTo((double) expected);
        // And the file does hold purchases (a customer, positive quantities) written as several lines of one key.
        assertThat(lake.table(Entity.RATINGS.bronze()).filter("user_id IS NOT NULL AND weight NOT LIKE '-%'")
                .groupBy("user_id", "item_id", "event_time").count().filter("count > 1").count()).isPositive();
    }
}
