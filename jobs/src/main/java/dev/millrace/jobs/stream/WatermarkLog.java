package dev.millrace.jobs.stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/**
 * The largest event time seen up to each micro-batch, one small file per batch under the checkpoint
 * ({@code <checkpoint>/millrace/max-event-time/<batchId>}). A batch's lateness threshold comes from the files of
 * earlier batches only, and a batch's own file is written before Spark commits it, so a batch that runs again after
 * a crash sees the same watermark and rejects the same events.
 */
final class WatermarkLog {

    private static final int KEEP = 10;

    private final Path dir;
    private final FileSystem fs;

    WatermarkLog(String checkpoint, Configuration hadoopConf) {
        this.dir = new Path(checkpoint, "millrace/max-event-time");
        try {
            this.fs = dir.getFileSystem(hadoopConf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach " + dir, e);
        }
    }

    /** The largest event time (epoch ms) of the batches before {@code batchId}; empty before any event. */
    OptionalLong before(long batchId) {
        try {
            if (!fs.exists(dir)) {
                return OptionalLong.empty();
            }
            long best = -1;
            for (FileStatus f : fs.listStatus(dir)) {
                long id = parse(f.getPath().getName());
                if (id >= 0 && id < batchId && id > best) {
                    best = id;
                }
            }
            if (best < 0) {
                return OptionalLong.empty();
            }
            try (FSDataInputStream in = fs.open(new Path(dir, Long.toString(best)))) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
                return text.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the watermark log " + dir, e);
        }
    }

    /** Records the largest event time up to and including {@code batchId} (empty: none yet) and drops old files. */
    void record(long batchId, OptionalLong maxEventTime) {
        try {
            Path tmp = new Path(dir, "." + batchId + ".tmp");
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                out.write((maxEventTime.isPresent() ? Long.toString(maxEventTime.getAsLong()) : "")
                        .getBytes(StandardCharsets.UTF_8));
            }
            Path target = new Path(dir, Long.toString(batchId));
            fs.delete(target, false);
            if (!fs.rename(tmp, target)) {
                throw new IOException("rename " + tmp + " -> " + target + " failed");
            }
            for (FileStatus f : fs.listStatus(dir)) {
                long id = parse(f.getPath().getName());
                if (id >= 0 && id < batchId - KEEP) {
                    fs.delete(f.getPath(), false);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the watermark log " + dir, e);
        }
    }

    private static long parse(String name) {
        try {
            return Long.parseLong(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
