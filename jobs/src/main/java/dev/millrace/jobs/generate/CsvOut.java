package dev.millrace.jobs.generate;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minimal CSV writer for the generator's hot loop. Hand-written because at 100 million rows the cost of
 * {@code String.format} or a general CSV library per field dominates; this one appends digits straight into a buffer.
 * Lines end in CRLF, as in the MovieLens files.
 */
final class CsvOut implements AutoCloseable {

    private final OutputStream out;
    private final byte[] digits = new byte[20];
    private boolean firstField = true;
    private long lines;

    CsvOut(Path file) throws IOException {
        out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
    }

    private CsvOut(OutputStream out) {
        this.out = out;
    }

    /** A writer that drops what it is given: a file a shape does not write, with the random draws left unchanged. */
    static CsvOut discard() {
        return new CsvOut(OutputStream.nullOutputStream());
    }

    CsvOut field(long v) throws IOException {
        separator();
        if (v < 0) {
            out.write('-');
            v = -v;
        }
        int n = 0;
        do {
            digits[n++] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v > 0);
        while (n > 0) {
            out.write(digits[--n]);
        }
        return this;
    }

    /** A rating with one decimal (ratings are multiples of 0.5), written as MovieLens does: 4.0, 3.5. */
    CsvOut rating(double v) throws IOException {
        long tenths = Math.round(v * 10);
        field(tenths / 10);
        out.write('.');
        out.write((byte) ('0' + Math.abs(tenths % 10)));
        return this;
    }

    /** A text field, quoted (with doubled quotes) only when it needs it. */
    CsvOut text(String s) throws IOException {
        separator();
        boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0;
        if (quote) {
            out.write('"');
            out.write(s.replace("\"", "\"\"").getBytes(StandardCharsets.UTF_8));
            out.write('"');
        } else {
            out.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return this;
    }

    /** Bytes written as they are, separator first: the bad-row injector's way to write what a writer never would. */
    CsvOut raw(byte[] bytes) throws IOException {
        separator();
        out.write(bytes);
        return this;
    }

    void endLine() throws IOException {
        out.write('\r');
        out.write('\n');
        firstField = true;
        lines++;
    }

    long lines() {
        return lines;
    }

    private void separator() throws IOException {
        if (!firstField) {
            out.write(',');
        }
        firstField = false;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
