package dev.millrace.featurestore.online;

import java.util.regex.Pattern;

/**
 * A named set of keys inside one store version: {@code rec} (recommendations by user id), {@code pop} (the
 * popularity fallback list) or {@code feat.<entity>} (online features by entity id). Each implementation maps a
 * keyspace to its own structure (an LMDB database, a Redis hash), which makes per-keyspace counts exact and cheap.
 */
public record Keyspace(String name) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?");
    private static final Pattern ENTITY = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    /** Per-user ranked recommendations, key = user id. */
    public static final Keyspace RECOMMENDATIONS = new Keyspace("rec");
    /** The popularity fallback, one key ({@link #POPULAR_KEY}). */
    public static final Keyspace POPULAR = new Keyspace("pop");
    /** The only key of {@link #POPULAR}. */
    public static final String POPULAR_KEY = "top";

    public Keyspace {
        if (name == null || name.length() > 72 || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid keyspace name '" + name + "'");
        }
    }

    /** The online-feature keyspace of an entity ({@code user}, {@code item}, ...). */
    public static Keyspace features(String entity) {
        if (!isValidEntity(entity)) {
            throw new IllegalArgumentException("invalid entity name '" + entity + "'");
        }
        return new Keyspace("feat." + entity);
    }

    /** Whether a string is a legal entity name: lower-case letters, digits and underscores, at most 64. */
    public static boolean isValidEntity(String entity) {
        return entity != null && ENTITY.matcher(entity).matches();
    }

    @Override
    public String toString() {
        return name;
    }
}
