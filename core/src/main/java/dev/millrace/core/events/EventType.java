package dev.millrace.core.events;

import java.util.Locale;
import java.util.Optional;

/** The kinds of user-item interaction an event reports; the JSON form is the lower-case name. */
public enum EventType {
    VIEW, CLICK, RATING;

    /** The JSON spelling ({@code view}, {@code click}, {@code rating}). */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type spelled {@code code} exactly (lower case), or empty. */
    public static Optional<EventType> fromCode(String code) {
        for (EventType t : values()) {
            if (t.code().equals(code)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
