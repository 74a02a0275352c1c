package dev.millrace.core.tables;

import java.util.Objects;

/**
 * One column of a table contract.
 *
 * @param name     the column name
 * @param type     its engine-neutral type
 * @param nullable whether it may hold nulls
 */
public record Column(String name, ColumnType type, boolean nullable) {

    public Column {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    public static Column required(String name, ColumnType type) {
        return new Column(name, type, false);
    }

    public static Column optional(String name, ColumnType type) {
        return new Column(name, type, true);
    }

    /** {@code name:TYPE} or {@code name:TYPE?} for nullable: the form adapter tests compare. */
    public String describe() {
        return name + ":" + type + (nullable ? "?" : "");
    }
}
