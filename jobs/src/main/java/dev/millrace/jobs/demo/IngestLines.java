package dev.millrace.jobs.demo;

import dev.millrace.core.run.RunReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The ingest report as one line per table, for the demo's short block (the whole report is in its JSON). */
final class IngestLines {

    private IngestLines() {
    }

    static List<String> of(RunReport ingest) {
        List<String> lines = new ArrayList<>();
        if (ingest.get("entities") instanceof Map<?, ?> entities) {
            for (Map.Entry<?, ?> e : entities.entrySet()) {
                if (e.getValue() instanceof Map<?, ?> t) {
                    lines.add(line(String.valueOf(e.getKey()), t));
                }
            }
        }
        lines.add("result: " + ingest.get("result"));
        return lines;
    }

    private static String line(String table, Map<?, ?> t) {
        if (number(t, "files_new") == 0 && number(t, "files_already_ingested") > 0) {
            return String.format(Locale.ROOT, "%-16s files already ingested: nothing new", table);
        }
        String line = String.format(Locale.ROOT, "%-16s %,d rows in: %,d accepted, %,d quarantined", table,
                number(t, "rows_in"), number(t, "accepted"), number(t, "quarantined"));
        if (t.get("quarantined_by_reason") instanceof Map<?, ?> reasons && !reasons.isEmpty()) {
            line += reasons.entrySet().stream().map(r -> r.getKey() + " " + r.getValue())
                    .collect(Collectors.joining(", ", " (", ")"));
        }
        return line;
    }

    private static long number(Map<?, ?> t, String key) {
        return t.get(key) instanceof Number n ? n.longValue() : 0;
    }
}
