package dev.millrace.jobs.ingest;

import java.io.File;
import java.time.LocalDate;

/**
 * What to ingest.
 *
 * @param source      a folder or file (any Hadoop path)
 * @param format      movielens, or the default format of the mapping's sources
 * @param mapping     the column mapping file; null for MovieLens
 * @param logicalDate the run's logical date (a scheduler's {@code ds}); selects a dated sub-folder when one exists
 */
public record IngestRequest(String source, String format, File mapping, LocalDate logicalDate) {
}
