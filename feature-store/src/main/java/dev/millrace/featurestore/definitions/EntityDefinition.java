package dev.millrace.featurestore.definitions;

import dev.millrace.core.lake.TableName;

import java.util.List;

/**
 * An entity the offline store keeps features for ({@code user}, {@code item}, {@code user_item}): its key columns and
 * its table {@code <layer>.<name>_features}.
 */
public record EntityDefinition(String name, List<String> keys, TableName table) {

    public EntityDefinition {
        keys = List.copyOf(keys);
    }
}
