package dev.millrace.featurestore.online;

import java.util.Optional;

/**
 * The answer to one read: the version the read was resolved against, and the value found in it (absent when the key
 * is not in that version). Callers that need a second key use {@link #version()} so both come from one version.
 */
public record Lookup(long version, byte[] value) {

    public Optional<byte[]> found() {
        return Optional.ofNullable(value);
    }
}
