package dev.millrace.jobs.generate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The orders shape: deterministic, shaped like a shop export, and its manifest adds up to the lines it wrote. */
class OrdersGeneratorTest {

    private static GeneratorSpec spec(long seed) {
        return new GeneratorSpec(200, 300, 5_000, seed, 0, Instant.parse("2024-01-01T00:00:00Z"),
                Instant.parse("2024-06-30T00:00:00Z"), Shape.ORDERS, 0.05, 0.05);
    }

    @Test
    void sameSeedSameBytesAndTheManifestCountsEveryLine(@TempDir Path dir) throws Exception {
        Map<String, Object> m = new OrdersGenerator(spec(4)).writeTo(dir.resolve("a"));
        new OrdersGenerator(spec(4)).writeTo(dir.resolve("b"));
        new OrdersGenerator(spec(5)).writeTo(dir.resolve("c"));
        byte[] a = Files.readAllBytes(dir.resolve("a/orders.csv"));
        assertThat(a).isEqualTo(Files.readAllBytes(dir.resolve("b/orders.csv")));
        assertThat(a).isNotEqualTo(Files.readAllBytes(dir.resolve("c/orders.csv")));

        List<String> lines = Files.readAllLines(dir.resolve("a/orders.csv"), StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country");
        List<String[]> rows = lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
        assertThat(rows).hasSize(5_000);
        long blank = rows.stream().filter(f -> f[5].isEmpty()).count();
        long cancelled = rows.stream().filter(f -> !f[5].isEmpty() && f[2].startsWith("-")).count();
        @SuppressWarnings("unchecked")
        Map<String, Long> bad = (Map<String, Long>) m.get("bad_order_lines");
        assertThat(bad).containsEntry("null_key", blank).containsEntry("negative_weight", cancelled);
        assertThat(blank).isPositive();
        assertThat(cancelled).isPositive();
        assertThat(blank + cancelled + (Long) m.get("repeated_lines") + (Long) m.get("good_order_rows"))
                .isEqualTo(5_000L);
        assertThat(rows).allMatch(f -> f[5].isEmpty() || f[5].matches("[1-9][0-9]{4}\\.0"));
        assertThat(rows).allMatch(f -> f[0].startsWith("C") == f[2].startsWith("-"));
        assertThat(rows).anyMatch(f -> f[1].matches("B0[0-9A-Z]{8}")).anyMatch(f -> f[1].matches("[0-9]{4}-[A-Z]+"));
        assertThat(Files.readString(dir.resolve("a/_generator.json"))).contains("\"shape\": \"orders\"")
                .contains("\"bad_order_lines\": {\"null_key\": " + blank);
    }

    @Test
    void theCommandTakesTheShapeInAnyCase(@TempDir Path dir) throws Exception {
        int code = new picocli.CommandLine(new GenerateCommand()).execute("--out", dir.resolve("o").toString(),
                "--shape", "Orders", "--users", "50", "--items", "40", "--events", "300");
        assertThat(code).isZero();
        assertThat(dir.resolve("o/orders.csv")).exists();
        assertThat(dir.resolve("o/ratings.csv")).doesNotExist();
        assertThat(new picocli.CommandLine(new GenerateCommand()).execute("--out", dir.resolve("x").toString(),
                "--shape", "sales")).isNotZero();
    }

    @Test
    void badFractionIsNotAnOrdersSetting() {
        assertThatThrownBy(() -> new GeneratorSpec(10, 20, 10, 1, 0.1, Instant.EPOCH, Instant.parse("2024-01-01T00:00:00Z"),
                Shape.ORDERS, 0, 0)).hasMessageContaining("--blank-customers");
    }
}
