package dev.millrace.jobs.ingest;

import java.util.Locale;

/** Why a row went to quarantine. The lower-case name is what the {@code reason} column holds. */
public enum RejectReason {
    /** The line could not be split into fields (an unbalanced quote, invalid JSON, a line over the size limit). */
    UNPARSEABLE_LINE,
    /** The line has more or fewer fields than the header (or the mapping) says. */
    WRONG_COLUMN_COUNT,
    /** The bytes are not valid in the source's charset. */
    INVALID_ENCODING,
    /** A value does not parse as its type (a rating that is not a number, NaN). */
    BAD_TYPE,
    /**
     * An id field (user, item, an external id) breaks the key rule of core's EntityKey or cannot be normalised as the
     * mapping asks ({@code integral} on {@code u12}).
     */
    BAD_KEY,
    /** A negative weight (a return, a cancellation) from a source whose mapping says negative-weights = quarantine. */
    NEGATIVE_WEIGHT,
    /** A key field (user, item, event time) is empty. */
    NULL_KEY,
    /** A required non-key field (a title, a tag) is empty. */
    MISSING_VALUE,
    /** A rating outside the configured range. */
    RATING_OUT_OF_RANGE,
    /** An event time before the configured minimum or too far in the future. */
    TIMESTAMP_OUT_OF_RANGE,
    /** The same key with the same values as an earlier row of the same batch. */
    DUPLICATE,
    /** The same key as an earlier row (of the batch or already in silver) with different values. */
    CONFLICTING_DUPLICATE;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
