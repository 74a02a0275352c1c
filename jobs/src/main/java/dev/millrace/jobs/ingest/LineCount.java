package dev.millrace.jobs.ingest;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * The lines that start in one split, counted by a byte scan that shares nothing with the parser: a line starts at 0
 * and after every newline but a final one (as {@link SplitReader} reads them), and it is blank when it holds nothing
 * before its newline (a {@code \r} before it aside). Ingest checks its totals against these counts: every record line
 * must come out of parsing, validation and classification as exactly one counted row.
 *
 * @param starts       lines that start in the split (the header line included), for numbering the next split's lines
 * @param blank        blank lines among them, not counting the header line
 * @param records      lines that must each become one row: not the header, not blank
 */
record LineCount(long starts, long blank, long records) implements Serializable {

    static final LineCount NONE = new LineCount(0, 0, 0);

    LineCount plus(LineCount o) {
        return new LineCount(starts + o.starts, blank + o.blank, records + o.records);
    }

    static LineCount scan(FileSplit s, Configuration conf) {
        long size = s.fileSize();
        // One byte before the split (is its first byte a line start?) and one after (is its last line start blank?).
        long from = Math.max(0, s.start() - 1);
        long to = Math.min(size, s.end() + 1);
        long starts = 0;
        long blank = 0;
        boolean firstBlank = false;
        int prev = -1;
        boolean prevStarts = false;
        long prevPos = -1;
        Path path = new Path(s.path());
        try (FSDataInputStream in = path.getFileSystem(conf).open(path)) {
            in.seek(from);
            byte[] buf = new byte[1 << 20];
            long q = from;
            while (q < to) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, to - q));
                if (n <= 0) {
                    break;
                }
                for (int i = 0; i < n; i++, q++) {
                    int c = buf[i] & 0xFF;
                    if (prevStarts && (prev == '\n' || (prev == '\r' && c == '\n'))) {
                        blank++;
                        firstBlank |= prevPos == 0;
                    }
                    boolean starting = q >= s.start() && q < s.end() && (q == 0 || prev == '\n');
                    if (starting) {
                        starts++;
                    }
                    prev = c;
                    prevStarts = starting;
                    prevPos = q;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + s.path(), e);
        }
        if (prevStarts && prev == '\n') {
            blank++; // a blank line at the very end of the file
            firstBlank |= prevPos == 0;
        }
        boolean headerHere = s.header() && s.start() == 0 && starts > 0;
        long nonBlankHeader = headerHere && !firstBlank ? 1 : 0;
        long blankOut = headerHere && firstBlank ? blank - 1 : blank;
        return new LineCount(starts, blankOut, starts - blank - nonBlankHeader);
    }
}
