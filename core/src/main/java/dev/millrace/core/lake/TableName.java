package dev.millrace.core.lake;

import java.util.regex.Pattern;

/**
 * A lake table's two-part name, {@code layer.name} (for example {@code silver.ratings}). The layer is the Spark
 * database and the first folder under the lake root; the name is the table and its folder.
 */
public record TableName(String layer, String name) {

    private static final Pattern PART = Pattern.compile("[a-z][a-z0-9_]*");

    public TableName {
        if (!PART.matcher(layer).matches() || !PART.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid table name '" + layer + "." + name
                    + "': both parts must match " + PART.pattern());
        }
    }

    public static TableName of(String layer, String name) {
        return new TableName(layer, name);
    }

    /** Parses {@code layer.name}. */
    public static TableName parse(String qualified) {
        int dot = qualified.indexOf('.');
        if (dot <= 0 || dot != qualified.lastIndexOf('.')) {
            throw new IllegalArgumentException("expected a table name of the form layer.name, got '" + qualified + "'");
        }
        return new TableName(qualified.substring(0, dot), qualified.substring(dot + 1));
    }

    public String qualified() {
        return layer + "." + name;
    }

    @Override
    public String toString() {
        return qualified();
    }
}
