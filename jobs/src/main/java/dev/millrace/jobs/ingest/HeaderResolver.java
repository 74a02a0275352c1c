package dev.millrace.jobs.ingest;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a CSV source's mapped columns to positions, per file: by the file's header when it has one (so files
 * with the same columns in another order still load), by the mapping's positions otherwise. A header that lacks a
 * mapped column is a configuration error and stops the job, naming the file and the column.
 */
final class HeaderResolver {

    private static final int MAX_HEADER_BYTES = 1 << 20;

    private HeaderResolver() {
    }

    /** Positions (0-based, -1 unmapped) and exact column count; null for a file with no header line (empty). */
    static Resolved resolve(SourceSpec spec, SourceFile file, Configuration conf) {
        List<Field> fields = spec.entity().fields();
        int[] positions = new int[fields.size()];
        if (spec.format() != SourceFormat.CSV) {
            java.util.Arrays.fill(positions, -1); // JSON fields are found by name, per line
            return new Resolved(positions, 0);
        }
        if (!spec.header()) {
            for (int i = 0; i < fields.size(); i++) {
                ColumnRef ref = spec.columns().get(fields.get(i).name());
                positions[i] = ref == null ? -1 : ref.position() - 1;
            }
            return new Resolved(positions, spec.expectedColumns());
        }
        List<String> header = readHeader(spec, file, conf);
        if (header == null) {
            return null;
        }
        for (int i = 0; i < fields.size(); i++) {
            ColumnRef ref = spec.columns().get(fields.get(i).name());
            if (ref == null) {
                positions[i] = -1;
            } else if (ref.byName()) {
                int p = header.indexOf(ref.name());
                if (p < 0) {
                    throw new IllegalArgumentException("file " + file.path() + " has no column '" + ref.name()
                            + "' (mapped to " + fields.get(i).name() + "); its header is " + header);
                }
                positions[i] = p;
            } else {
                positions[i] = ref.position() - 1;
            }
        }
        return new Resolved(positions, header.size());
    }

    private static List<String> readHeader(SourceSpec spec, SourceFile file, Configuration conf) {
        Path path = new Path(file.path());
        try (FSDataInputStream in = path.getFileSystem(conf).open(path)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (bytes.size() >= MAX_HEADER_BYTES) {
                    throw new IllegalArgumentException("file " + file.path() + ": header line longer than 1 MiB");
                }
                bytes.write(b);
            }
            if (bytes.size() == 0 && b < 0) {
                return null;
            }
            String line = new String(bytes.toByteArray(), Charset.forName(spec.charset()));
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            List<String> names = new ArrayList<>();
            for (String n : new CsvTokenizer(spec.delimiter(), spec.quote()).split(line)) {
                names.add(n.trim());
            }
            return names;
        } catch (CsvTokenizer.MalformedLine e) {
            throw new IllegalArgumentException("file " + file.path() + ": cannot read its header: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.path(), e);
        }
    }

    record Resolved(int[] positions, int expectedColumns) {
    }

}
