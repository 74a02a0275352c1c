package dev.millrace.featurestore.online.redis;

import dev.millrace.featurestore.online.Keyspace;

import java.nio.charset.StandardCharsets;

/**
 * The Redis key layout (all under one prefix, {@code millrace:} by default): the pointer string, the version counter,
 * the set of versions holding data, per version a set of its keyspaces and one hash per keyspace, and overlay strings
 * with a TTL. One hash per keyspace makes a version's count one HLEN and its removal one UNLINK.
 */
final class RedisKeys {

    private final String prefix;

    RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    String pointer() {
        return prefix + "pointer";
    }

    String sequence() {
        return prefix + "seq";
    }

    String versions() {
        return prefix + "versions";
    }

    String keyspaces(long version) {
        return prefix + "v" + version + ":keyspaces";
    }

    String data(long version, Keyspace keyspace) {
        return prefix + "v" + version + ":" + keyspace.name();
    }

    byte[] dataBytes(long version, Keyspace keyspace) {
        return data(version, keyspace).getBytes(StandardCharsets.UTF_8);
    }

    byte[] overlay(Keyspace keyspace, String key) {
        return (prefix + "ov:" + keyspace.name() + ":" + key).getBytes(StandardCharsets.UTF_8);
    }
}
