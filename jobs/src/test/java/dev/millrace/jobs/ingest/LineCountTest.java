package dev.millrace.jobs.ingest;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The byte scan that ingest checks its row counts against agrees with the reader the parser uses, line for line, on
 * files full of edge cases (CRLF, blank lines at the start and the end, a missing final newline, a lone '\r'), cut into
 * splits of every size.
 */
class LineCountTest {

    @TempDir
    Path dir;

    @Test
    void theScanCountsWhatTheReaderReads() throws Exception {
        Random random = new Random(42);
        String[] pieces = {"a,b,c", "", "\r", "1,2,3\r", "x", "long line with, commas, and more", " "};
        Configuration conf = new Configuration();
        for (int file = 0; file < 60; file++) {
            StringBuilder text = new StringBuilder();
            int lines = random.nextInt(12);
            for (int i = 0; i < lines; i++) {
                text.append(pieces[random.nextInt(pieces.length)]);
                if (i < lines - 1 || random.nextBoolean()) {
                    text.append('\n');
                }
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            if (bytes.length == 0) {
                continue;
            }
            Path p = dir.resolve("f" + file + ".csv");
            Files.write(p, bytes);
            boolean header = random.nextBoolean();
            for (int splitSize = 1; splitSize <= bytes.length; splitSize++) {
                LineCount scanned = LineCount.NONE;
                long starts = 0;
                long blank = 0;
                long records = 0;
                long line = 1;
                for (long start = 0; start < bytes.length; start += splitSize) {
                    long end = Math.min(bytes.length, start + splitSize);
                    FileSplit s = new FileSplit(p.toUri().toString(), bytes.length, start, end, line, header,
                            new int[0], 0);
                    LineCount c = LineCount.scan(s, conf);
                    scanned = scanned.plus(c);
                    long here = 0;
                    try (SplitReader reader = new SplitReader(s, conf, 1 << 20)) {
                        while (reader.next()) {
                            here++;
                            boolean isHeader = header && reader.lineNumber() == 1;
                            if (isHeader) {
                                continue;
                            }
                            if (reader.length == 0 && !reader.oversized) {
                                blank++;
                            } else {
                                records++;
                            }
                        }
                    }
                    assertThat(c.starts()).as("lines starting in %s of %s", s, text).isEqualTo(here);
                    starts += here;
                    line += here;
                }
                String what = "'" + text.toString().replace("\r", "\\r").replace("\n", "\\n") + "' header " + header
                        + " in splits of " + splitSize;
                assertThat(scanned.starts()).as(what).isEqualTo(starts);
                assertThat(scanned.blank()).as(what).isEqualTo(blank);
                assertThat(scanned.records()).as(what).isEqualTo(records);
            }
        }
    }
}
