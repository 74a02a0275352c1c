package dev.millrace.jobs.ingest;

import java.io.Serializable;

/**
 * One field of an entity's silver schema.
 *
 * @param name     column name in bronze and silver
 * @param type     typed form in silver
 * @param key      part of the entity key (never null; duplicates are judged on it)
 * @param required must be present even if not a key
 */
public record Field(String name, FieldType type, boolean key, boolean required) implements Serializable {

    static Field key(String name, FieldType type) {
        return new Field(name, type, true, true);
    }

    static Field required(String name, FieldType type) {
        return new Field(name, type, false, true);
    }

    static Field optional(String name, FieldType type) {
        return new Field(name, type, false, false);
    }
}
