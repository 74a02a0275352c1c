package dev.millrace.jobs.generate;

import java.time.Instant;

/**
 * What to generate: sizes, seed, time span and the share of deliberately broken rating rows.
 *
 * @param users       number of users
 * @param items       number of movies in the catalogue
 * @param events      number of rating rows; with a bad fraction, some are broken (and duplicates add lines)
 * @param seed        the same seed gives byte-identical files
 * @param badFraction share of rating rows to corrupt, 0 for clean data
 * @param start       first possible event time
 * @param end         last possible event time
 */
public record GeneratorSpec(long users, int items, long events, long seed, double badFraction,
                            Instant start, Instant end) {

    public GeneratorSpec {
        if (users < 1 || items < 1 || events < 0) {
            throw new IllegalArgumentException("users and items must be at least 1 and events at least 0");
        }
        if (badFraction < 0 || badFraction >= 1) {
            throw new IllegalArgumentException("--bad-fraction must be in [0, 1), got " + badFraction);
        }
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("the time span is empty: " + start + " .. " + end);
        }
    }
}
