package dev.millrace.core.keys;

import java.util.Optional;

/**
 * The one rule for entity keys (user ids, item ids, any entity of a feature): a key is a string of 1 to
 * {@value #MAX_LENGTH} characters with no control characters and no leading or trailing white space. Every layer
 * (ingest, Kafka events, the lake, the online store, the HTTP API) checks keys with this class, so a key accepted
 * anywhere is accepted everywhere. Numeric feeds keep working: their ids are the decimal text ({@code "356"}).
 */
public final class EntityKey {

    /** The longest key, in UTF-16 characters. */
    public static final int MAX_LENGTH = 128;

    /** The rule in words, for error messages and docs. */
    public static final String RULE = "1 to " + MAX_LENGTH
            + " characters, no control characters, no leading or trailing white space";

    private EntityKey() {
    }

    /** Why {@code key} is not a valid key, or empty when it is. */
    public static Optional<String> problem(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.of("is empty");
        }
        if (key.length() > MAX_LENGTH) {
            return Optional.of("is " + key.length() + " characters long (at most " + MAX_LENGTH + ")");
        }
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                return Optional.of("holds a control character (U+" + String.format("%04X", (int) key.charAt(i))
                        + ") at position " + i);
            }
        }
        if (Character.isWhitespace(key.charAt(0)) || Character.isWhitespace(key.charAt(key.length() - 1))) {
            return Optional.of("has leading or trailing white space");
        }
        return Optional.empty();
    }

    /** True when {@code key} follows the rule. */
    public static boolean isValid(String key) {
        return problem(key).isEmpty();
    }

    /** The key itself; throws {@link IllegalArgumentException} naming the field when it breaks the rule. */
    public static String require(String field, String key) {
        Optional<String> p = problem(key);
        if (p.isPresent()) {
            throw new IllegalArgumentException(field + " '" + abbreviate(key) + "' " + p.get() + " (a key is " + RULE + ")");
        }
        return key;
    }

    /** A printable, bounded rendering of a bad key for error messages and quarantine details. */
    public static String abbreviate(String key) {
        if (key == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < key.length() && b.length() < 64; i++) {
            char c = key.charAt(i);
            b.append(Character.isISOControl(c) ? String.format("\\u%04X", (int) c) : String.valueOf(c));
        }
        return b.length() < 64 || key.length() <= 64 ? b.toString() : b + "...";
    }
}
