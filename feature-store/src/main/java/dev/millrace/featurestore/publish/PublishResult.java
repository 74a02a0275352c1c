package dev.millrace.featurestore.publish;

import dev.millrace.featurestore.online.VersionPointer;

import java.util.List;
import java.util.Map;

/**
 * What a publish did: the new pointer, keys written per keyspace (each verified against the store's own count), rows
 * skipped per keyspace because their id breaks the key rule (only feature keyspaces skip; absent when none), feature
 * rows left out per keyspace because a key column is null (absent when none), the
 * versions it removed, the lake table versions it published and how long it took. {@code unchanged} means the
 * current store version already held exactly those table versions, so nothing was written.
 */
public record PublishResult(VersionPointer pointer, Map<String, Long> keys, Map<String, Long> skipped,
                            Map<String, Long> skippedNullKeys,
                            List<Long> removedVersions, String popularSource, String sources, boolean unchanged, double seconds) {

    public long totalKeys() {
        return keys.values().stream().mapToLong(Long::longValue).sum();
    }

    public double keysPerSecond() {
        return seconds <= 0 ? 0 : totalKeys() / seconds;
    }
}
