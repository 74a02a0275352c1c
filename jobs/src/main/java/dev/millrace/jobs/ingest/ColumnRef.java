package dev.millrace.jobs.ingest;

import java.io.Serializable;

/**
 * Where a field's value sits in a source record: a column name (CSV header, JSON field, Parquet column) or a 1-based
 * position (CSV without a header).
 */
public record ColumnRef(String name, int position) implements Serializable {

    public static ColumnRef parse(String s) {
        String t = s.trim();
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            int p = Integer.parseInt(t);
            if (p < 1) {
                throw new IllegalArgumentException("column positions start at 1, got " + p);
            }
            return new ColumnRef(null, p);
        }
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty column name");
        }
        return new ColumnRef(t, 0);
    }

    public boolean byName() {
        return name != null;
    }

    @Override
    public String toString() {
        return byName() ? name : "#" + position;
    }
}
