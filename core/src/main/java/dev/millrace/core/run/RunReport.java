package dev.millrace.core.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A job's own numbers (rows in, accepted, rejected by reason, time, ...), printed plainly at the end and saved as JSON
 * under the lake's {@code _runs/<job>/} folder, so people read the summary and machines read the file.
 */
public final class RunReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final String job;
    private final String runId;
    private final Instant startedAt;
    private final Map<String, Object> values = new LinkedHashMap<>();

    public RunReport(String job) {
        this(job, newRunId(), Instant.now());
    }

    public RunReport(String job, String runId, Instant startedAt) {
        this.job = job;
        this.runId = runId;
        this.startedAt = startedAt;
    }

    public static String newRunId() {
        return UUID.randomUUID().toString();
    }

    public String job() {
        return job;
    }

    public String runId() {
        return runId;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** Adds or replaces a value; maps and lists are written as nested JSON and indented in the summary. */
    public RunReport put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    public Object get(String key) {
        return values.get(key);
    }

    public Map<String, Object> values() {
        return values;
    }

    /** Everything, with the job, run id, start and elapsed time first. */
    public Map<String, Object> asMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("job", job);
        out.put("run_id", runId);
        out.put("started_at", startedAt.toString());
        out.put("elapsed_seconds", Math.round((Instant.now().toEpochMilli() - startedAt.toEpochMilli()) / 100.0) / 10.0);
        out.putAll(values);
        return out;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(asMap());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The plain, one-screen summary. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("== ").append(job).append(" summary ==\n");
        appendMap(sb, asMap(), "");
        return sb.toString();
    }

    /** Writes the JSON under {@code <runsDir>/<job>/} and returns its path. */
    public String write(String runsDir, Configuration hadoopConf) {
        Path path = new Path(runsDir + "/" + job + "/" + FILE_TIME.format(startedAt) + "-" + runId + ".json");
        try {
            FileSystem fs = path.getFileSystem(hadoopConf);
            try (FSDataOutputStream out = fs.create(path, true)) {
                out.write(toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run report to " + path, e);
        }
        return path.toString();
    }

    @SuppressWarnings("unchecked")
    private static void appendMap(StringBuilder sb, Map<String, Object> map, String indent) {
        int width = map.keySet().stream().mapToInt(String::length).max().orElse(0);
        for (Map.Entry<String, Object> e : map.entrySet()) {
            sb.append(indent).append(e.getKey().replace('_', ' '));
            if (e.getValue() instanceof Map<?, ?> nested) {
                sb.append(":\n");
                appendMap(sb, (Map<String, Object>) nested, indent + "  ");
            } else {
                sb.append(" ".repeat(width - e.getKey().length() + 2)).append(format(e.getValue())).append('\n');
            }
        }
    }

    private static String format(Object v) {
        if (v instanceof Long || v instanceof Integer) {
            return String.format("%,d", ((Number) v).longValue());
        }
        return String.valueOf(v);
    }
}
