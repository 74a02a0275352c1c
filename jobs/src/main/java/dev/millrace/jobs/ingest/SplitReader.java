package dev.millrace.jobs.ingest;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads the lines of one {@link FileSplit} as raw bytes, with their line numbers. A split starting mid-file skips the
 * partial line it starts in (the previous split reads it to its end), as Hadoop's line reader does. Lines end at
 * {@code \n}; a trailing {@code \r} is dropped. A line longer than the limit is cut and flagged, so one corrupt
 * file cannot exhaust a task's memory.
 */
final class SplitReader implements Closeable {

    private static final int BUFFER = 1 << 20;

    private final FileSplit split;
    private final int maxLineBytes;
    private final InputStream in;
    private final byte[] buf = new byte[BUFFER];
    private int bufPos;
    private int bufLen;
    private long pos;
    private long lineNumber;

    byte[] line = new byte[256];
    int length;
    /** Whether the current line ended with a line terminator (false for a last line cut short). */
    boolean terminated;
    /** Whether the current line was longer than the limit and cut. */
    boolean oversized;

    SplitReader(FileSplit split, Configuration conf, int maxLineBytes) throws IOException {
        this.split = split;
        this.maxLineBytes = maxLineBytes;
        Path path = new Path(split.path());
        FSDataInputStream stream = path.getFileSystem(conf).open(path);
        this.in = stream;
        this.lineNumber = split.firstLine() - 1;
        if (split.start() > 0) {
            stream.seek(split.start() - 1);
            pos = split.start() - 1;
            // Skip to just past the first newline at or after start-1: that is where our first line starts.
            int b;
            while ((b = read()) >= 0 && b != '\n') {
                // skipping the tail of the previous split's last line
            }
        }
    }

    long lineNumber() {
        return lineNumber;
    }

    /** Advances to the next line of this split; false at its end. */
    boolean next() throws IOException {
        if (pos >= split.end() || pos >= split.fileSize()) {
            return false;
        }
        length = 0;
        oversized = false;
        terminated = false;
        int b;
        while ((b = read()) >= 0) {
            if (b == '\n') {
                terminated = true;
                break;
            }
            if (length < maxLineBytes) {
                if (length == line.length) {
                    line = java.util.Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
                }
                line[length++] = (byte) b;
            } else {
                oversized = true;
            }
        }
        if (b < 0 && length == 0 && !oversized) {
            return false;
        }
        if (terminated && length > 0 && line[length - 1] == '\r') {
            length--;
        }
        lineNumber++;
        return true;
    }

    private int read() throws IOException {
        if (bufPos == bufLen) {
            bufLen = in.read(buf, 0, BUFFER);
            bufPos = 0;
            if (bufLen <= 0) {
                bufLen = 0;
                return -1;
            }
        }
        pos++;
        return buf[bufPos++] & 0xFF;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
