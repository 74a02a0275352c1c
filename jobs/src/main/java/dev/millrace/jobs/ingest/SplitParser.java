package dev.millrace.jobs.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.nio.charset.Charset;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Parses the lines of a text split (CSV or JSON lines) into unified rows: decode, split into fields, validate. Runs
 * on executors, lazily, one line at a time; a line that cannot be read becomes a rejected row, never an exception.
 */
final class SplitParser implements FlatMapFunction<FileSplit, Row> {

    private final SourceSpec spec;
    private final RecordValidator validator;
    private final Broadcast<SerializableConfiguration> hadoopConf;
    private final int maxLineBytes;

    SplitParser(SourceSpec spec, ValidationRules rules, Broadcast<SerializableConfiguration> hadoopConf,
                int maxLineBytes) {
        this.spec = spec;
        this.validator = new RecordValidator(spec, rules);
        this.hadoopConf = hadoopConf;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public Iterator<Row> call(FileSplit split) throws IOException {
        SplitReader reader = new SplitReader(split, hadoopConf.value().value(), maxLineBytes);
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> reader.close());
        }
        LineDecoder decoder = new LineDecoder(Charset.forName(spec.charset()));
        CsvTokenizer tokenizer = new CsvTokenizer(spec.delimiter(), spec.quote());
        ObjectMapper json = spec.format() == SourceFormat.JSON ? new ObjectMapper() : null;
        int fields = spec.entity().fields().size();
        String[] jsonPointers = jsonPointers();

        return new Iterator<>() {
            Row next;
            boolean done;

            @Override
            public boolean hasNext() {
                while (next == null && !done) {
                    try {
                        if (!reader.next()) {
                            done = true;
                            reader.close();
                            break;
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException("cannot read " + split.path(), e);
                    }
                    if (split.header() && reader.lineNumber() == 1) {
                        continue;
                    }
                    if (reader.length == 0 && !reader.oversized) {
                        // A blank line carries no record: not a row (LineCount counts them for the report).
                        continue;
                    }
                    next = parse();
                }
                return next != null;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Row r = next;
                next = null;
                return r;
            }

            private Row parse() {
                String[] raw = new String[fields];
                String text;
                try {
                    text = decoder.decode(reader.line, reader.length);
                } catch (LineDecoder.InvalidEncoding e) {
                    return rejected(raw, RejectReason.INVALID_ENCODING, e.getMessage(),
                            decoder.lenient(reader.line, reader.length));
                }
                if (reader.oversized) {
                    return rejected(raw, RejectReason.UNPARSEABLE_LINE, "line longer than " + maxLineBytes
                            + " bytes (cut)", text);
                }
                String problem = json != null ? fromJson(text, raw) : fromCsv(text, raw);
                if (problem != null) {
                    RejectReason reason = problem.startsWith("#") ? RejectReason.WRONG_COLUMN_COUNT
                            : RejectReason.UNPARSEABLE_LINE;
                    String detail = problem.startsWith("#") ? problem.substring(1) : problem;
                    if (!reader.terminated) {
                        detail += " (last line of the file, without a line end: truncated?)";
                    }
                    return rejected(raw, reason, detail, text);
                }
                Outcome o = validator.validate(raw);
                String detail = o.detail;
                if (o.rejected() && !reader.terminated) {
                    detail += " (last line of the file, without a line end: truncated?)";
                }
                return row(raw, o.typed, o.reason, detail, text);
            }

            private String fromCsv(String text, String[] raw) {
                List<String> cells;
                try {
                    cells = tokenizer.split(text);
                } catch (CsvTokenizer.MalformedLine e) {
                    return e.getMessage();
                }
                int expected = split.expectedColumns();
                if (expected > 0 && cells.size() != expected) {
                    return "#expected " + expected + " columns, found " + cells.size();
                }
                if (cells.size() < split.minColumns()) {
                    return "#expected at least " + split.minColumns() + " columns, found " + cells.size();
                }
                int[] positions = split.positions();
                for (int i = 0; i < fields; i++) {
                    if (positions[i] >= 0) {
                        String v = cells.get(positions[i]);
                        raw[i] = v.isEmpty() ? null : v;
                    }
                }
                return null;
            }

            private String fromJson(String text, String[] raw) {
                JsonNode node;
                try {
                    node = json.readTree(text);
                } catch (IOException e) {
                    return "invalid JSON: " + firstLine(e.getMessage());
                }
                if (node == null || !node.isObject()) {
                    return "a JSON line must hold an object";
                }
                for (int i = 0; i < fields; i++) {
                    if (jsonPointers[i] == null) {
                        continue;
                    }
                    JsonNode v = node.at(jsonPointers[i]);
                    if (v.isMissingNode() || v.isNull()) {
                        continue;
                    }
                    String s = v.isValueNode() ? v.asText() : v.toString();
                    raw[i] = s.isEmpty() ? null : s;
                }
                return null;
            }

            private Row rejected(String[] raw, RejectReason reason, String detail, String text) {
                return row(raw, new Object[fields], reason, detail, text);
            }

            private Row row(String[] raw, Object[] typed, RejectReason reason, String detail, String text) {
                Object[] values = new Object[2 * fields + 5];
                System.arraycopy(raw, 0, values, 0, fields);
                System.arraycopy(typed, 0, values, fields, fields);
                values[2 * fields] = reason == null ? null : reason.code();
                values[2 * fields + 1] = detail;
                // The line's text travels only with rows already rejected: for the rest it would double what is
                // shuffled and cached (duplicates found later get their raw values joined instead).
                values[2 * fields + 2] = reason == null ? null : text;
                values[2 * fields + 3] = split.path();
                values[2 * fields + 4] = reader.lineNumber();
                return RowFactory.create(values);
            }
        };
    }

    private String[] jsonPointers() {
        List<Field> fs = spec.entity().fields();
        String[] out = new String[fs.size()];
        for (int i = 0; i < fs.size(); i++) {
            ColumnRef ref = spec.columns().get(fs.get(i).name());
            if (ref != null && ref.byName()) {
                out[i] = "/" + ref.name().replace("~", "~0").replace("/", "~1").replace(".", "/");
            }
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
