package dev.millrace.featurestore.definitions;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a feature definition computes from its source. Event aggregations fold the source's rows strictly before the
 * feature timestamp (optionally only those inside a trailing window); attribute transforms read a static source (one
 * row per entity, no time) and hold for every feature timestamp.
 */
public enum Aggregation {
    /** Number of events. */
    COUNT(Kind.EVENT, false, true),
    /** Number of distinct values of the column. */
    DISTINCT_COUNT(Kind.EVENT, true, true),
    /** Sum of the column. */
    SUM(Kind.EVENT, true, true),
    /** Arithmetic mean of the column's non-null values. */
    MEAN(Kind.EVENT, true, false),
    MIN(Kind.EVENT, true, false),
    MAX(Kind.EVENT, true, false),
    /** Days from the last event to the feature timestamp (null when there was none). */
    RECENCY_DAYS(Kind.EVENT, false, false),
    /**
     * Mean shrunk toward the global mean of the same column: (C * m + sum) / (C + n), with C the definition's
     * {@code prior-weight} and m the mean over every entity at the same feature timestamp (IMDb's weighted rating).
     */
    BAYESIAN_MEAN(Kind.EVENT, true, false),
    /** Mean inside the window minus the mean before it: positive when the entity is rated better lately. */
    TREND(Kind.EVENT, true, false),
    /** Per vocabulary value, the share of events whose column (a string or an array of strings) holds it. */
    SHARE(Kind.EVENT, true, false),
    /** Per vocabulary value, 1 when the static column (an array of strings) holds it, else 0. */
    MULTI_HOT(Kind.ATTRIBUTE, true, false),
    /** The first group of {@code pattern} matched in the static string column, as an integer (null when no match). */
    REGEX_INT(Kind.ATTRIBUTE, true, false);

    /** Whether the aggregation folds timed events or transforms a static attribute. */
    public enum Kind { EVENT, ATTRIBUTE }

    private final Kind kind;
    private final boolean needsColumn;
    private final boolean zeroWhenEmpty;

    Aggregation(Kind kind, boolean needsColumn, boolean zeroWhenEmpty) {
        this.kind = kind;
        this.needsColumn = needsColumn;
        this.zeroWhenEmpty = zeroWhenEmpty;
    }

    public Kind kind() {
        return kind;
    }

    public boolean needsColumn() {
        return needsColumn;
    }

    /** Counts and sums of nothing are 0, not unknown: entities without events get 0 rather than null. */
    public boolean zeroWhenEmpty() {
        return zeroWhenEmpty;
    }

    public boolean usesVocabulary() {
        return this == SHARE || this == MULTI_HOT;
    }

    /** Parses the conf spelling ({@code distinct_count}, {@code distinct-count} or {@code DISTINCT_COUNT}). */
    public static Aggregation parse(String text) {
        String norm = text.trim().replace('-', '_').toUpperCase(Locale.ROOT);
        for (Aggregation a : values()) {
            if (a.name().equals(norm)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown aggregation '" + text + "'; expected one of "
                + Arrays.stream(values()).map(a -> a.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
