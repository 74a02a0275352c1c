package dev.millrace.core.events;

import java.io.Serializable;

/** The outcome of validating one raw record: either a {@link Valid} event or a {@link Rejection} with its reason. */
public sealed interface ValidationResult extends Serializable permits ValidationResult.Valid, Rejection {

    /** True for {@link Valid}. */
    default boolean isValid() {
        return this instanceof Valid;
    }

    /** A record that satisfies the contract. */
    record Valid(Event event) implements ValidationResult {
    }
}
