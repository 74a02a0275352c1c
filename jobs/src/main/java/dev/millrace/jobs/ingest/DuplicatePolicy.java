package dev.millrace.jobs.ingest;

import java.util.Locale;

/**
 * What a source's rows with the same entity key in one batch become (mapping setting {@code duplicates}). Order
 * feeds repeat a key on purpose (two lines of one order for the same SKU), so rejecting them is only one choice.
 */
public enum DuplicatePolicy {
    /** The first row of a key is kept; later ones are quarantined as duplicate or conflicting_duplicate. */
    REJECT,
    /** The first row of a key (by file, then line) is kept; later ones are folded into it. */
    FIRST,
    /** The last row of a key (by file, then line) is kept; earlier ones are folded into it. */
    LAST,
    /** One row per key whose weight is the sum of the rows' weights (ratings with a weight only); the rest fold. */
    SUM;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DuplicatePolicy parse(String s) {
        for (DuplicatePolicy p : values()) {
            if (p.code().equalsIgnoreCase(s.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("duplicates must be reject, first, last or sum, got '" + s + "'");
    }
}
