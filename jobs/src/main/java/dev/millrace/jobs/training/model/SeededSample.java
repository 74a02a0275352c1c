package dev.millrace.jobs.training.model;

import org.apache.spark.sql.Column;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * A seeded Bernoulli sample decided by each row's keys: a row is kept when a hash of the seed and its keys falls
 * below the fraction. Unlike {@code Dataset.sample}, whose draws follow the order of rows within a partition (not
 * fixed after a shuffle), the same seed keeps the same rows on any partitioning or cluster.
 */
public final class SeededSample {

    private static final long MASK = (1L << 53) - 1;

    private SeededSample() {
    }

    /** A uniform value in [0, 1) of the seed and the keys. */
    static Column uniform(long seed, Column... keys) {
        Column[] hashed = Stream.concat(Stream.of(lit(seed)), Arrays.stream(keys)).toArray(Column[]::new);
        return xxhash64(hashed).bitwiseAND(lit(MASK)).cast("double").divide(lit((double) (1L << 53)));
    }

    /** True for the rows of the sample: about {@code fraction} of them, chosen by the seed and the keys. */
    public static Column keep(double fraction, long seed, Column... keys) {
        return uniform(seed, keys).lt(lit(fraction));
    }
}
