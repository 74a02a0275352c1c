package dev.millrace.featurestore.online.redis;

import dev.millrace.featurestore.online.Keyspace;
import dev.millrace.featurestore.online.OnlineStoreException;
import dev.millrace.featurestore.online.VersionWriter;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes one task's keys as pipelined HSETs on one pooled connection, syncing every batch so memory stays bounded
 * and errors surface near their cause.
 */
final class RedisVersionWriter implements VersionWriter {

    private final RedisKeys keys;
    private final long version;
    private final int batchSize;
    private final Pipeline pipeline;
    private final Set<Keyspace> registered = new HashSet<>();
    private int pending;

    RedisVersionWriter(RedisClient client, RedisKeys keys, long version, int batchSize) {
        this.keys = keys;
        this.version = version;
        this.batchSize = batchSize;
        this.pipeline = (Pipeline) client.pipelined();
    }

    @Override
    public void put(Keyspace keyspace, String key, byte[] value) {
        if (registered.add(keyspace)) {
            pipeline.sadd(keys.keyspaces(version), keyspace.name());
        }
        pipeline.hset(keys.dataBytes(version, keyspace), key.getBytes(StandardCharsets.UTF_8), value);
        if (++pending >= batchSize) {
            flush();
        }
    }

    @Override
    public void flush() {
        try {
            pipeline.sync();
        } catch (JedisException e) {
            throw new OnlineStoreException("cannot write version " + version + " to Redis: " + e.getMessage(), e);
        }
        pending = 0;
    }

    @Override
    public void close() {
        try {
            flush();
        } finally {
            pipeline.close();
        }
    }
}
