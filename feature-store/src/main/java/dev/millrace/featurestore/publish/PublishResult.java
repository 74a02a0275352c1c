package dev.millrace.featurestore.publish;

import dev.millrace.featurestore.online.VersionPointer;

import java.util.List;
import java.util.Map;

/**
 * What a publish did: the new pointer, keys written per keyspace (each verified against the store's own count),
 * the versions it removed, the lake table versions it published and how long it took. {@code unchanged} means the
 * current store version already held exactly those table versions, so nothing was written.
 */
public record PublishResult(VersionPointer pointer, Map<String, Long> keys, List<Long> removedVersions,
                            String popularSource, String sources, boolean unchanged, double seconds) {

    public long totalKeys() {
        return keys.values().stream().mapToLong(Long::longValue).sum();
    }

    public double keysPerSecond() {
        return seconds <= 0 ? 0 : totalKeys() / seconds;
    }
}
