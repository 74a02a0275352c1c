package dev.millrace.featurestore.online;

import java.util.OptionalLong;

/**
 * The store's current version and the previous one kept for rollback. Stored as one value, so that moving it is a
 * single atomic write and a reader resolves both at once.
 *
 * @param current  the version readers are sent to (positive)
 * @param previous the version a rollback returns to, or 0 when there is none
 */
public record VersionPointer(long current, long previous) {

    public VersionPointer {
        if (current <= 0 || previous < 0 || previous == current) {
            throw new IllegalArgumentException("invalid version pointer " + current + "/" + previous);
        }
    }

    public OptionalLong previousVersion() {
        return previous == 0 ? OptionalLong.empty() : OptionalLong.of(previous);
    }

    /** The text form kept in the stores: {@code "<current> <previous>"}. */
    public String encode() {
        return current + " " + previous;
    }

    public static VersionPointer decode(String text) {
        String[] parts = text.trim().split(" ");
        if (parts.length != 2) {
            throw new IllegalStateException("corrupt version pointer '" + text + "'");
        }
        return new VersionPointer(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
    }
}
