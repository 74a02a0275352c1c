package dev.millrace.jobs.ingest;

import java.util.Locale;

/**
 * What a negative weight (a return, a cancellation) becomes (mapping setting {@code negative-weights}): quarantined
 * with reason {@code negative_weight} (the default), or kept in silver as negative feedback.
 */
public enum NegativeWeights {
    QUARANTINE, KEEP;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static NegativeWeights parse(String s) {
        for (NegativeWeights n : values()) {
            if (n.code().equalsIgnoreCase(s.trim())) {
                return n;
            }
        }
        throw new IllegalArgumentException("negative-weights must be quarantine or keep, got '" + s + "'");
    }
}
