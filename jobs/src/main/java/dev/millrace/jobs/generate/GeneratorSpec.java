package dev.millrace.jobs.generate;

import java.time.Instant;

/**
 * What to generate: shape, sizes, seed, time span and the share of deliberately broken rows.
 *
 * @param users          number of users (customers for orders)
 * @param items          number of movies in the catalogue (SKUs for orders)
 * @param events         number of rating rows (order lines for orders); with a bad fraction, some are broken (and
 *                       duplicates add lines)
 * @param seed           the same seed gives byte-identical files
 * @param badFraction    share of rating rows to corrupt, 0 for clean data (movielens and interactions shapes)
 * @param start          first possible event time
 * @param end            last possible event time
 * @param shape          the layout written
 * @param blankCustomers orders only: share of orders written without a customer id
 * @param cancellations  orders only: share of orders that are cancellations (negative quantities)
 */
public record GeneratorSpec(long users, int items, long events, long seed, double badFraction,
                            Instant start, Instant end, Shape shape, double blankCustomers, double cancellations) {

    /** The defaults of orders, used when another shape ignores them. */
    public static final double DEFAULT_BLANK_CUSTOMERS = 0.01;
    public static final double DEFAULT_CANCELLATIONS = 0.02;

    /** The MovieLens layout. */
    public GeneratorSpec(long users, int items, long events, long seed, double badFraction, Instant start,
                         Instant end) {
        this(users, items, events, seed, badFraction, start, end, Shape.MOVIELENS, DEFAULT_BLANK_CUSTOMERS,
                DEFAULT_CANCELLATIONS);
    }

    public GeneratorSpec {
        if (users < 1 || items < 1 || events < 0) {
            throw new IllegalArgumentException("users and items must be at least 1 and events at least 0");
        }
        if (badFraction < 0 || badFraction >= 1) {
            throw new IllegalArgumentException("--bad-fraction must be in [0, 1), got " + badFraction);
        }
        if (shape == Shape.ORDERS && badFraction > 0) {
            throw new IllegalArgumentException("--bad-fraction applies to the movielens and interactions shapes; "
                    + "orders break rows with --blank-customers and --cancellations");
        }
        if (blankCustomers < 0 || blankCustomers >= 1 || cancellations < 0 || cancellations >= 1) {
            throw new IllegalArgumentException("--blank-customers and --cancellations must be in [0, 1), got "
                    + blankCustomers + " and " + cancellations);
        }
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("the time span is empty: " + start + " .. " + end);
        }
    }
}
