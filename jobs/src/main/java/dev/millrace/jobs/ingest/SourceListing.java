package dev.millrace.jobs.ingest;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobFilter;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds a source's files: the files directly under the source folder whose names match the mapping's glob, or the
 * source itself when it is a file. With a logical date, a {@code date=YYYY-MM-DD} or {@code YYYY-MM-DD} sub-folder is
 * used when one exists (the usual daily-drop layout).
 */
final class SourceListing {

    private SourceListing() {
    }

    static Path resolveRoot(String source, String logicalDate, Configuration conf) {
        Path root = new Path(source);
        try {
            FileSystem fs = root.getFileSystem(conf);
            if (!fs.exists(root)) {
                throw new IllegalArgumentException("source not found: " + source);
            }
            if (logicalDate != null && fs.getFileStatus(root).isDirectory()) {
                for (String name : new String[] {"date=" + logicalDate, logicalDate}) {
                    Path dated = new Path(root, name);
                    if (fs.exists(dated)) {
                        return fs.makeQualified(dated);
                    }
                }
            }
            return fs.makeQualified(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read source " + source, e);
        }
    }

    static List<SourceFile> list(Path root, String glob, Configuration conf) {
        try {
            FileSystem fs = root.getFileSystem(conf);
            FileStatus rootStatus = fs.getFileStatus(root);
            List<SourceFile> out = new ArrayList<>();
            if (rootStatus.isFile()) {
                if (new GlobFilter(glob).accept(root)) {
                    out.add(of(rootStatus));
                }
                return out;
            }
            for (FileStatus s : fs.listStatus(root, new GlobFilter(glob))) {
                String name = s.getPath().getName();
                if (s.isFile() && !name.startsWith(".") && !name.startsWith("_")) {
                    out.add(of(s));
                }
            }
            out.sort(Comparator.comparing(SourceFile::path));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list source " + root, e);
        }
    }

    private static SourceFile of(FileStatus s) {
        return new SourceFile(s.getPath().toString(), s.getLen(), s.getModificationTime());
    }
}
