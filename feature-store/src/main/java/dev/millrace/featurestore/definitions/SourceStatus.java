package dev.millrace.featurestore.definitions;

import dev.millrace.core.lake.TableName;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Whether a feature source can be read on a given lake: the lake tables it reads (its table, or the tables its SQL
 * names) and which of them are not there. A source over a missing table, directly or through its SQL, is missing:
 * its features are skipped (or fail when required) rather than stopping the whole run.
 */
public record SourceStatus(SourceDefinition source, List<TableName> reads, List<TableName> missing) {

    public SourceStatus {
        reads = List.copyOf(reads);
        missing = List.copyOf(missing);
    }

    public boolean present() {
        return missing.isEmpty();
    }

    /** {@code table silver.tags} or {@code sql over silver.ratings, silver.movies}. */
    public String describeReads() {
        if (source.table().isPresent()) {
            return "table " + source.table().get();
        }
        return "sql over " + (reads.isEmpty() ? "no lake table"
                : reads.stream().map(TableName::qualified).collect(Collectors.joining(", ")));
    }

    /** {@code present}, or {@code missing silver.movies}. */
    public String describeState() {
        return present() ? "present"
                : "missing " + missing.stream().map(TableName::qualified).collect(Collectors.joining(", "));
    }
}
