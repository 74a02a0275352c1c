package dev.millrace.jobs.generate;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code millrace generate}: writes synthetic interaction data (no Spark needed): the MovieLens layout by default, a
 * ratings-only feed, or an e-commerce order-lines feed.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Write synthetic data: ratings, movies, tags and links in the MovieLens ml-latest-small layout "
                + "(--shape movielens, the default), ratings.csv only (--shape interactions), or order lines with "
                + "string SKUs, customers written as NNNNN.0, blank customers, cancellations and repeated lines "
                + "(--shape orders; ingest it with --format csv --mapping conf/mappings/orders.conf)."},
        footer = {"", "Example:",
                "  bin/millrace generate --out data/gen --users 2000 --items 1000 --events 200000 --seed 7",
                "  bin/millrace generate --out data/bad --events 10000 --bad-fraction 0.02",
                "  bin/millrace generate --out data/orders --shape orders --users 2000 --items 3000 --events 100000"})
public final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (created).")
    Path out;

    @Option(names = "--shape", defaultValue = "movielens", converter = ShapeConverter.class,
            description = "movielens, interactions or orders (default: ${DEFAULT-VALUE}).")
    Shape shape;

    @Option(names = "--users", defaultValue = "1000", description = "Number of users (default: ${DEFAULT-VALUE}).")
    long users;

    @Option(names = "--items", defaultValue = "2000",
            description = "Number of movies, or SKUs for orders (default: ${DEFAULT-VALUE}).")
    int items;

    @Option(names = "--events", defaultValue = "100000",
            description = "Number of rating rows, or order lines for orders (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed; same seed, same bytes.")
    long seed;

    @Option(names = "--bad-fraction", defaultValue = "0",
            description = "Share of rating rows to break on purpose, e.g. 0.01 (default: ${DEFAULT-VALUE}).")
    double badFraction;

    @Option(names = "--blank-customers", defaultValue = "0.01",
            description = "Orders only: share of orders without a customer id (default: ${DEFAULT-VALUE}).")
    double blankCustomers;

    @Option(names = "--cancellations", defaultValue = "0.02",
            description = "Orders only: share of orders that are cancellations, negative quantities "
                    + "(default: ${DEFAULT-VALUE}).")
    double cancellations;

    @Option(names = "--from", defaultValue = "2016-01-01T00:00:00Z", description = "First event time (ISO-8601).")
    Instant from;

    @Option(names = "--to", defaultValue = "2024-12-31T23:59:59Z", description = "Last event time (ISO-8601).")
    Instant to;

    /** Case-insensitive {@code --shape}. */
    static final class ShapeConverter implements picocli.CommandLine.ITypeConverter<Shape> {
        @Override
        public Shape convert(String value) {
            return Shape.parse(value);
        }
    }

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        GeneratorSpec spec = new GeneratorSpec(users, items, events, seed, badFraction, from, to, shape,
                blankCustomers, cancellations);
        Map<String, Object> manifest = shape == Shape.ORDERS ? new OrdersGenerator(spec).writeTo(out)
                : new MovieLensGenerator(spec).writeTo(out);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.println("== generate summary ==");
        manifest.forEach((k, v) -> System.out.printf("%-18s %s%n", k.replace('_', ' '), v));
        System.out.printf("%-18s %s%n", "output", out.toAbsolutePath());
        System.out.printf("%-18s %.1f%n", "elapsed seconds", seconds);
        return 0;
    }
}
