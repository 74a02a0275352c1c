package dev.millrace.jobs.generate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Injects broken rating rows on purpose (with {@code --bad-fraction}) so that ingest's quarantine can be exercised and
 * checked: it counts what it wrote by kind, and the counts go into the generator's manifest. The kinds mirror the
 * quarantine reasons ingest gives.
 */
final class BadRows {

    /** What was broken; names match ingest's quarantine reasons. */
    enum Kind {
        WRONG_COLUMN_COUNT,
        /** A rating that is not a number. */
        BAD_TYPE,
        /** A user id that is not an integer ({@code u12}): the MovieLens mapping asks for integral ids. */
        BAD_KEY,
        NULL_KEY, RATING_OUT_OF_RANGE, TIMESTAMP_OUT_OF_RANGE, INVALID_ENCODING,
        /** An exact copy of the previous good row, written as an extra line. */
        DUPLICATE,
        /** The previous good row's key with another rating, written as an extra line. */
        CONFLICTING_DUPLICATE
    }

    private final double fraction;
    private final Map<Kind, Long> counts = new EnumMap<>(Kind.class);

    BadRows(double fraction) {
        this.fraction = fraction;
    }

    boolean enabled() {
        return fraction > 0;
    }

    /** Whether to break the next row. */
    boolean pick(SplittableRandom random) {
        return fraction > 0 && random.nextDouble() < fraction;
    }

    /**
     * Writes a broken variant of the rating (user, movie, rating, ts) and returns its kind. Kinds that add a line
     * (duplicates) also write the good row first, so the caller must not write it again when {@code true} is
     * returned by {@link Kind#equals}; see {@link #replacesGoodRow(Kind)}.
     */
    Kind write(CsvOut out, SplittableRandom random, long user, long movie, double rating, long ts) throws IOException {
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        switch (kind) {
            case WRONG_COLUMN_COUNT -> {
                out.field(user).field(movie).rating(rating);
                if (random.nextBoolean()) {
                    out.field(ts).field(42);
                }
            }
            case BAD_TYPE -> out.field(user).field(movie).raw("four".getBytes(StandardCharsets.US_ASCII)).field(ts);
            case BAD_KEY -> out.raw(("u" + user).getBytes(StandardCharsets.US_ASCII)).field(movie).rating(rating)
                    .field(ts);
            case NULL_KEY -> out.raw(new byte[0]).field(movie).rating(rating).field(ts);
            case RATING_OUT_OF_RANGE -> out.field(user).field(movie).rating(random.nextBoolean() ? 7.5 : 0.0).field(ts);
            case TIMESTAMP_OUT_OF_RANGE -> out.field(user).field(movie).rating(rating).field(random.nextInt(100_000));
            case INVALID_ENCODING -> out.field(user).field(movie).rating(rating)
                    .raw(new byte[] {'1', (byte) 0xC3, (byte) 0x28, '9'});
            case DUPLICATE -> {
                out.field(user).field(movie).rating(rating).field(ts);
                out.endLine();
                out.field(user).field(movie).rating(rating).field(ts);
            }
            case CONFLICTING_DUPLICATE -> {
                out.field(user).field(movie).rating(rating).field(ts);
                out.endLine();
                out.field(user).field(movie).rating(rating >= 3 ? rating - 2 : rating + 2).field(ts);
            }
            default -> throw new IllegalStateException(kind.name());
        }
        out.endLine();
        counts.merge(kind, 1L, Long::sum);
        return kind;
    }

    /** Duplicates keep the good row (and add a bad one); every other kind replaces it. */
    static boolean replacesGoodRow(Kind kind) {
        return kind != Kind.DUPLICATE && kind != Kind.CONFLICTING_DUPLICATE;
    }

    Map<Kind, Long> counts() {
        return counts;
    }
}
