package dev.millrace.jobs.ingest;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts text source files into byte-range splits so large files are read in parallel, and gives each split the line
 * number its first line has. That needs the number of lines before each split: one parallel pass counts the lines of
 * every split (a byte scan, much cheaper than parsing), and its totals are ingest's independent count of the rows.
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

    /** The splits of some files, and what a byte scan of them counted. */
    record Plan(List<FileSplit> splits, LineCount lines) {
    }

    /**
     * Splits of the files (files without a header line, or empty, get none), each numbered with the line its first
     * line has, and the files' line counts ({@link LineCount}): one parallel byte scan of every split gives both.
     */
    Plan plan(SourceSpec spec, List<SourceFile> files) {
        List<FileSplit> planned = new ArrayList<>();
        for (SourceFile f : files) {
            HeaderResolver.Resolved r = HeaderResolver.resolve(spec, f, conf.value().value());
            if (r == null || f.size() == 0) {
                continue;
            }
            boolean header = spec.header() && spec.format() == SourceFormat.CSV;
            if (f.size() <= splitSize) {
                planned.add(new FileSplit(f.path(), f.size(), 0, f.size(), 1, header, r.positions(),
                        r.expectedColumns()));
                continue;
            }
            for (long start = 0; start < f.size(); start += splitSize) {
                planned.add(new FileSplit(f.path(), f.size(), start, Math.min(f.size(), start + splitSize), 0,
                        header, r.positions(), r.expectedColumns()));
            }
        }
        if (planned.isEmpty()) {
            return new Plan(planned, LineCount.NONE);
        }
        Broadcast<SerializableConfiguration> c = conf;
        // One small record per split (not per line) comes back to the driver.
        List<LineCount> counts = jsc.parallelize(planned, planned.size()).map(s -> LineCount.scan(s, c.value().value()))
                .collect();
        List<FileSplit> out = new ArrayList<>(planned.size());
        LineCount total = LineCount.NONE;
        String file = null;
        long line = 1;
        for (int i = 0; i < planned.size(); i++) {
            FileSplit s = planned.get(i);
            if (!s.path().equals(file)) {
                file = s.path();
                line = 1;
            }
            out.add(new FileSplit(s.path(), s.fileSize(), s.start(), s.end(), line, s.header(), s.positions(),
                    s.expectedColumns()));
            line += counts.get(i).starts();
            total = total.plus(counts.get(i));
        }
        return new Plan(out, total);
    }
}
