package dev.millrace.jobs.ingest;

import dev.millrace.core.lake.TableName;

import java.util.List;
import java.util.Locale;

/**
 * The entities ingest knows: two kinds of interaction (ratings, tags), partitioned by event date and sharded by user
 * bucket, and two dimensions (movies, links) that later deliveries update. Each has a fixed silver schema, so any
 * source maps onto the same tables.
 */
public enum Entity {
    RATINGS(true, List.of(
            Field.key("user_id", FieldType.ID),
            Field.key("item_id", FieldType.ID),
            Field.optional("rating", FieldType.DOUBLE),
            Field.optional("weight", FieldType.DOUBLE),
            Field.key("event_time", FieldType.TIMESTAMP))),
    TAGS(true, List.of(
            Field.key("user_id", FieldType.ID),
            Field.key("item_id", FieldType.ID),
            Field.key("tag", FieldType.TEXT),
            Field.key("event_time", FieldType.TIMESTAMP))),
    MOVIES(false, List.of(
            Field.key("item_id", FieldType.ID),
            Field.required("title", FieldType.TEXT),
            Field.optional("genres", FieldType.GENRES))),
    LINKS(false, List.of(
            Field.key("item_id", FieldType.ID),
            Field.optional("imdb_id", FieldType.TEXT),
            Field.optional("tmdb_id", FieldType.ID)));

    private final boolean events;
    private final List<Field> fields;

    Entity(boolean events, List<Field> fields) {
        this.events = events;
        this.fields = fields;
    }

    /** Interaction events: partitioned by event_date, sharded by user_bucket, appended. Otherwise a dimension. */
    public boolean isEvents() {
        return events;
    }

    public List<Field> fields() {
        return fields;
    }

    public List<String> keyNames() {
        return fields.stream().filter(Field::key).map(Field::name).toList();
    }

    public List<String> valueNames() {
        return fields.stream().filter(f -> !f.key()).map(Field::name).toList();
    }

    public int indexOf(String field) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(field)) {
                return i;
            }
        }
        return -1;
    }

    public String tableName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public TableName bronze() {
        return TableName.of("bronze", tableName());
    }

    public TableName silver() {
        return TableName.of("silver", tableName());
    }

    public TableName quarantine() {
        return TableName.of("quarantine", tableName());
    }

    public static Entity parse(String name) {
        for (Entity e : values()) {
            if (e.tableName().equalsIgnoreCase(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown entity '" + name + "'; expected one of ratings, tags, movies, links");
    }
}
