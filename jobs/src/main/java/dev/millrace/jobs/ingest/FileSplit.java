package dev.millrace.jobs.ingest;

import java.io.Serializable;

/**
 * A byte range of one source file, read by one task. Lines belong to the split their first byte falls in, and
 * {@code firstLine} is the file line number of the first of them, so every row keeps its exact line number.
 *
 * @param path            file path (Hadoop URI)
 * @param fileSize        whole file length
 * @param start           first byte (inclusive)
 * @param end             last byte (exclusive)
 * @param firstLine       1-based line number of the first line starting in this split
 * @param header          whether line 1 of the file is a header (skipped, not a row)
 * @param positions       source column index (0-based) feeding each entity field, -1 when unmapped (CSV)
 * @param expectedColumns exact number of columns each line must have, 0 for no exact check (CSV)
 */
public record FileSplit(String path, long fileSize, long start, long end, long firstLine, boolean header,
                        int[] positions, int expectedColumns) implements Serializable {

    int minColumns() {
        int max = 0;
        for (int p : positions) {
            max = Math.max(max, p + 1);
        }
        return max;
    }
}
