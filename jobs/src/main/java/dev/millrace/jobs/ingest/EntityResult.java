package dev.millrace.jobs.ingest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One entity's numbers from one run. Rows in are the rows counted out of classification, accepted plus quarantined;
 * they must equal the records read, counted apart from parsing (a byte scan of the lines, or Parquet footers). Accepted
 * rows are inserted, unchanged, updated (dimensions) or folded (into another row of their key by the source's
 * duplicate policy).
 */
final class EntityResult {
    final Entity entity;
    int filesNew;
    int filesSkipped;
    int filesEmpty;
    long rowsIn;
    long recordsRead;
    long blankLines;
    long inserted;
    long unchanged;
    long updated;
    long folded;
    final Map<String, Long> quarantined = new TreeMap<>();
    boolean rejected;
    String rejectMessage;

    EntityResult(Entity entity) {
        this.entity = entity;
    }

    long accepted() {
        return inserted + unchanged + updated + folded;
    }

    long quarantinedTotal() {
        return quarantined.values().stream().mapToLong(Long::longValue).sum();
    }

    double rejectRatio() {
        return rowsIn == 0 ? 0 : (double) quarantinedTotal() / rowsIn;
    }

    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("files_new", (long) filesNew);
        m.put("files_already_ingested", (long) filesSkipped);
        m.put("files_empty", (long) filesEmpty);
        m.put("records_read", recordsRead);
        m.put("rows_in", rowsIn);
        m.put("accepted", accepted());
        m.put("inserted", inserted);
        if (!entity.isEvents()) {
            m.put("updated", updated);
        }
        m.put("unchanged", unchanged);
        m.put("folded", folded);
        m.put("quarantined", quarantinedTotal());
        if (!quarantined.isEmpty()) {
            m.put("quarantined_by_reason", new LinkedHashMap<>(quarantined));
        }
        m.put("blank_lines_skipped", blankLines);
        m.put("reject_ratio", Math.round(rejectRatio() * 1e6) / 1e6);
        if (rejected) {
            m.put("status", "REJECTED: " + rejectMessage);
        }
        return m;
    }
}
