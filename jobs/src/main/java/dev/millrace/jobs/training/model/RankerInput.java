package dev.millrace.jobs.training.model;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The ranker's training rows as Parquet files laid out like export shards ({@code user_id, item_id, features,
 * label}), written by {@link RankerInputWriter}: the shard rows with their ALS score, then the ALS candidate rows,
 * each list in the order to train on. The trainer holds one file at a time.
 *
 * @param fraction the share of rows kept by the {@code max-rows} sample (1 = all)
 */
public record RankerInput(String folder, List<String> rowFiles, long rows, List<String> candidateFiles,
                          long candidateRows, double fraction) {

    public long totalRows() {
        return rows + candidateRows;
    }

    /** Removes an input folder (written or partly written): the files are only the trainer's input. */
    public static void delete(String folder, Configuration conf) {
        Path p = new Path(folder);
        try {
            p.getFileSystem(conf).delete(p, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + folder, e);
        }
    }

    /**
     * Removes the input folders of {@code date} under {@code root} that a killed train left (its finally block never
     * ran); returns how many. Trains of one registry run one at a time, so none of them is in use.
     */
    public static int deleteLeftovers(String root, String date, Configuration conf) {
        Path pattern = new Path(root, date + "-*");
        try {
            FileStatus[] found = pattern.getFileSystem(conf).globStatus(pattern);
            if (found == null) {
                return 0;
            }
            for (FileStatus f : found) {
                delete(f.getPath().toString(), conf);
            }
            return found.length;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + pattern, e);
        }
    }
}
