package dev.millrace.core.tables;

import dev.millrace.core.lake.TableName;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A table that one module writes and another reads: its name, its columns in order and its partition columns. The
 * Spark and Delta Kernel schemas are built from this list by one adapter each, never written out again.
 *
 * @param name       where the table lives in the lake
 * @param columns    the columns, in order
 * @param partitions the partition columns (a subset of the columns)
 */
public record TableContract(TableName name, List<Column> columns, List<String> partitions) {

    public TableContract {
        columns = List.copyOf(columns);
        partitions = List.copyOf(partitions);
        for (String p : partitions) {
            if (columns.stream().noneMatch(c -> c.name().equals(p))) {
                throw new IllegalArgumentException(name + ": partition column " + p + " is not a column");
            }
        }
    }

    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }

    /** The columns as {@code name:TYPE[?]} joined by commas: what adapter tests compare. */
    public String describe() {
        return columns.stream().map(Column::describe).collect(Collectors.joining(","));
    }
}
