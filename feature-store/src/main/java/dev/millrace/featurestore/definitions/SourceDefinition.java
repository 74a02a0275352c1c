package dev.millrace.featurestore.definitions;

import dev.millrace.core.lake.TableName;

import java.util.Optional;

/**
 * Where features read from: a lake table ({@code table = silver.ratings}) or a Spark SQL query over lake tables
 * ({@code sql = "SELECT ... FROM silver.ratings r JOIN silver.movies m ..."}). An event source has a time column;
 * a static source ({@code time-column = none}) holds one row per entity and feeds attribute transforms.
 */
public record SourceDefinition(String name, Optional<TableName> table, Optional<String> sql,
                               Optional<String> timeColumn) {

    public boolean isStatic() {
        return timeColumn.isEmpty();
    }

    /** A readable description for error messages. */
    public String describe() {
        return table.map(t -> "table " + t).orElseGet(() -> "query \"" + sql.orElse("") + "\"");
    }
}
