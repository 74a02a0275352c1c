package dev.millrace.jobs.ingest;

import java.util.Locale;

/** How a source's files are read. MovieLens is CSV with the built-in mapping. */
public enum SourceFormat {
    CSV, JSON, PARQUET;

    public static SourceFormat parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown source format '" + s + "'; expected csv, json or parquet");
        }
    }
}
