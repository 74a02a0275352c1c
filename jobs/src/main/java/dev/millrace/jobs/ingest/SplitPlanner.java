package dev.millrace.jobs.ingest;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts text source files into byte-range splits so large files are read in parallel, and gives each split the line
 * number its first line has. For files of more than one split that needs the number of lines before each split:
 * one parallel pass counts the newlines of every range (a byte scan, much cheaper than parsing).
 */
final class SplitPlanner {

    private final JavaSparkContext jsc;
    private final Broadcast<SerializableConfiguration> conf;
    private final long splitSize;

    SplitPlanner(JavaSparkContext jsc, Broadcast<SerializableConfiguration> conf, long splitSize) {
        this.jsc = jsc;
        this.conf = conf;
        this.splitSize = Math.max(1024, splitSize);
    }

    /** Splits of the files; files without a header line (empty) get none. */
    List<FileSplit> plan(SourceSpec spec, List<SourceFile> files) {
        List<FileSplit> single = new ArrayList<>();
        List<FileSplit> ranges = new ArrayList<>();
        for (SourceFile f : files) {
            HeaderResolver.Resolved r = HeaderResolver.resolve(spec, f, conf.value().value());
            if (r == null || f.size() == 0) {
                continue;
            }
            boolean header = spec.header() && spec.format() == SourceFormat.CSV;
            if (f.size() <= splitSize) {
                single.add(new FileSplit(f.path(), f.size(), 0, f.size(), 1, header, r.positions(),
                        r.expectedColumns()));
                continue;
            }
            for (long start = 0; start < f.size(); start += splitSize) {
                ranges.add(new FileSplit(f.path(), f.size(), start, Math.min(f.size(), start + splitSize), 0,
                        header, r.positions(), r.expectedColumns()));
            }
        }
        List<FileSplit> out = new ArrayList<>(single);
        if (!ranges.isEmpty()) {
            Broadcast<SerializableConfiguration> c = conf;
            List<Long> starts = jsc.parallelize(ranges, ranges.size()).map(s -> linesStarting(s, c.value().value()))
                    .collect();
            String file = null;
            long line = 1;
            for (int i = 0; i < ranges.size(); i++) {
                FileSplit s = ranges.get(i);
                if (!s.path().equals(file)) {
                    file = s.path();
                    line = 1;
                }
                out.add(new FileSplit(s.path(), s.fileSize(), s.start(), s.end(), line, s.header(), s.positions(),
                        s.expectedColumns()));
                line += starts.get(i);
            }
        }
        return out;
    }

    /** How many lines start in [start, end): a line starts at 0 and after every newline but a final one. */
    static long linesStarting(FileSplit s, Configuration conf) {
        long from = Math.max(0, s.start() - 1);
        long to = s.end() - 1;
        long lastUsable = s.fileSize() - 1;
        long count = s.start() == 0 ? 1 : 0;
        Path path = new Path(s.path());
        try (FSDataInputStream in = path.getFileSystem(conf).open(path)) {
            in.seek(from);
            byte[] buf = new byte[1 << 20];
            long pos = from;
            while (pos < to) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, to - pos));
                if (n <= 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n' && pos + i < lastUsable) {
                        count++;
                    }
                }
                pos += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + s.path(), e);
        }
        return count;
    }
}
